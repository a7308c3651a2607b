import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { api, createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { createOperator, type Role, type TestOperator } from '../support/operators';
import { testEnv } from '../support/test-env';

const ROLES: Role[] = ['admin', 'billing', 'support'];

interface Case {
  method: string;
  path: string;
  body?: unknown;
  allowed: Role[];
}

// Every operator route with the roles the issue gives it. Requests that change something carry an
// invalid body or an unknown id, so an allowed role gets past the role check (400/404/...) and
// nothing is changed; a refused role gets 403 before the body is read.
function cases(user: TestUser, other: string): Case[] {
  const unknown = randomUUID();
  return [
    { method: 'POST', path: '/v1/users', body: {}, allowed: ['admin'] },
    { method: 'GET', path: `/v1/users/${user.id}`, allowed: ['admin', 'billing', 'support'] },
    { method: 'DELETE', path: `/v1/users/${unknown}`, allowed: ['admin'] },
    { method: 'GET', path: `/v1/users/${user.id}/sessions`, allowed: ['admin', 'support'] },
    { method: 'DELETE', path: `/v1/sessions/${unknown}`, allowed: ['admin', 'support'] },
    { method: 'GET', path: '/v1/calls', allowed: ['admin', 'billing', 'support'] },
    { method: 'GET', path: `/v1/calls/${unknown}`, allowed: ['admin', 'billing', 'support'] },
    { method: 'POST', path: '/v1/calls', body: {}, allowed: ['admin'] },
    { method: 'DELETE', path: `/v1/calls/${unknown}`, allowed: ['admin', 'support'] },
    { method: 'GET', path: `/v1/users/${user.id}/balance`, allowed: ['admin', 'billing'] },
    { method: 'POST', path: `/v1/users/${user.id}/balance`, body: {}, allowed: ['admin', 'billing'] },
    { method: 'PUT', path: `/v1/users/${user.id}/price-plan`, body: {}, allowed: ['admin', 'billing'] },
    { method: 'POST', path: '/v1/price-plans', body: {}, allowed: ['admin', 'billing'] },
    { method: 'GET', path: `/v1/price-plans/${unknown}`, allowed: ['admin', 'billing'] },
    { method: 'POST', path: `/v1/price-plans/${unknown}/rates`, body: {}, allowed: ['admin', 'billing'] },
    { method: 'GET', path: `/v1/users/${user.id}/invoices`, allowed: ['admin', 'billing'] },
    { method: 'GET', path: `/v1/invoices/${unknown}`, allowed: ['admin', 'billing'] },
    { method: 'GET', path: '/v1/carriers', allowed: ['admin', 'support'] },
    { method: 'GET', path: `/v1/carriers/${unknown}`, allowed: ['admin', 'support'] },
    { method: 'POST', path: '/v1/carriers', body: {}, allowed: ['admin'] },
    { method: 'PATCH', path: `/v1/carriers/${unknown}`, body: {}, allowed: ['admin'] },
    { method: 'DELETE', path: `/v1/carriers/${unknown}`, allowed: ['admin'] },
    { method: 'POST', path: `/v1/carriers/${unknown}/rates`, body: {}, allowed: ['admin'] },
    { method: 'GET', path: `/v1/carriers/${unknown}/quality`, allowed: ['admin', 'support'] },
    { method: 'GET', path: `/v1/routes?from=${user.username}&to=%2B442071838750`, allowed: ['admin', 'support'] },
    { method: 'GET', path: '/metrics', allowed: ['admin', 'support'] },
    { method: 'POST', path: '/v1/operators', body: {}, allowed: ['admin'] },
    { method: 'GET', path: '/v1/operators', allowed: ['admin'] },
    { method: 'GET', path: `/v1/operators/${other}`, allowed: ['admin'] },
    { method: 'PATCH', path: `/v1/operators/${other}`, body: {}, allowed: ['admin'] },
    { method: 'GET', path: '/v1/operators/me', allowed: ['admin', 'billing', 'support'] },
    { method: 'GET', path: '/v1/operators/me/tokens', allowed: ['admin', 'billing', 'support'] },
    { method: 'POST', path: '/v1/operators/me/tokens', body: {}, allowed: ['admin', 'billing', 'support'] },
    { method: 'DELETE', path: `/v1/operators/me/tokens/${unknown}`, allowed: ['admin', 'billing', 'support'] },
    // Another operator's tokens: an admin only.
    { method: 'GET', path: `/v1/operators/${other}/tokens`, allowed: ['admin'] },
    { method: 'POST', path: `/v1/operators/${other}/tokens`, body: {}, allowed: ['admin'] },
    { method: 'DELETE', path: `/v1/operators/${other}/tokens/${unknown}`, allowed: ['admin'] },
    { method: 'GET', path: '/v1/audit', allowed: ['admin'] },
    { method: 'GET', path: '/v1/call-records?limit=1', allowed: ['admin', 'billing', 'support'] },
    { method: 'GET', path: `/v1/call-records/stats?from=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`, allowed: ['admin', 'billing', 'support'] },
    { method: 'GET', path: '/v1/users?username=nobody', allowed: ['admin', 'billing', 'support'] },
    { method: 'GET', path: '/v1/alarms', allowed: ['admin', 'billing', 'support'] },
  ];
}

const call = async (method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
  const res = await fetch(`${testEnv.adminUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  const json = res.headers.get('content-type')?.includes('json') && text ? (JSON.parse(text) as Record<string, unknown>) : {};
  return { status: res.status, body: json };
};

describe('e2e: operator roles on every admin API route', function () {
  this.timeout(120_000);
  let app: AppProcess;
  let user: TestUser;
  const operators = {} as Record<Role, TestOperator>;
  let other: TestOperator;

  before(async function () {
    app = await AppProcess.start();
    for (const role of ROLES) operators[role] = await createOperator(role);
    other = await createOperator('support', 'other');
    user = await createUser('roles');
  });

  after(async function () {
    await app?.stop();
  });

  it('given an operator of each role, when it calls every route, then the roles the route allows get past the role check and the others get 403', async function () {
    const wrong: string[] = [];
    for (const c of cases(user, other.id)) {
      for (const role of ROLES) {
        const res = await call(c.method, c.path, operators[role].token, c.body);
        const allowed = c.allowed.includes(role);
        if (allowed && (res.status === 401 || res.status === 403)) wrong.push(`${role} ${c.method} ${c.path}: ${res.status}, expected allowed`);
        if (!allowed && (res.status !== 403 || res.body.code !== 'AUTH.FORBIDDEN')) wrong.push(`${role} ${c.method} ${c.path}: ${res.status}, expected 403`);
      }
    }
    expect(wrong).to.deep.equal([]);
  });

  it('given the break-glass ADMIN_TOKEN, when it creates an operator, then it may do so, and a revoked or unknown token is refused with 401', async function () {
    const support = await createOperator('support', 'revoked');
    expect((await call('GET', '/v1/calls', support.token)).status).to.equal(200);
    const tokens = (await call('GET', `/v1/operators/${support.id}/tokens`, testEnv.adminToken)).body.tokens as { id: string }[];
    expect(tokens).to.have.length(1);
    expect((await call('DELETE', `/v1/operators/me/tokens/${tokens[0]!.id}`, support.token)).status).to.equal(204);
    expect((await call('GET', '/v1/calls', support.token)).status).to.equal(401);
    expect((await call('GET', '/v1/calls', 'opt_not-a-token')).status).to.equal(401);
  });

  it('given a disabled operator, when its token is used, then 401', async function () {
    const billing = await createOperator('billing', 'disabled');
    expect((await call('GET', '/v1/calls', billing.token)).status).to.equal(200);
    expect((await api('PATCH', `/v1/operators/${billing.id}`, { disabled: true })).status).to.equal(200);
    expect((await call('GET', '/v1/calls', billing.token)).status).to.equal(401);
  });

  it('given an operator of any role, when it calls a lawful intercept route, then it gets 404 as for a route that does not exist', async function () {
    for (const role of ROLES) {
      for (const [method, path] of [['GET', '/v1/warrants'], ['POST', '/v1/warrants'], ['POST', '/v1/agencies'], ['GET', `/v1/warrants/${randomUUID()}/events`]] as const) {
        const res = await call(method, path, operators[role].token, method === 'POST' ? {} : undefined);
        expect(res.status, `${role} ${method} ${path}`).to.equal(404);
      }
    }
  });

  it('given a billing operator, when it tops a user up, then the audit log has the change with its name, role, source address and details, and an admin can filter for it', async function () {
    const reference = `audit-${randomUUID()}`;
    const topUp = await call('POST', `/v1/users/${user.id}/balance`, operators.billing.token, { amount: '5.00', currency: 'USD', reference });
    expect(topUp.status).to.equal(200);
    const res = await call('GET', `/v1/audit?operator=${operators.billing.username}&action=balance.top_up`, operators.admin.token);
    expect(res.status).to.equal(200);
    const entries = res.body.entries as Record<string, unknown>[];
    expect(entries).to.have.length(1);
    expect(entries[0]).to.deep.include({ operatorId: operators.billing.id, operator: operators.billing.username, role: 'billing', action: 'balance.top_up', target: `user:${user.id}`, sourceIp: '127.0.0.1' });
    expect(entries[0]!.details).to.deep.equal({ amount: '5.00', currency: 'USD', reference });
    expect(Date.now() - Date.parse(String(entries[0]!.at))).to.be.within(0, 60_000);
  });

  it('given changes by several principals, when the audit log is read, then a change by the break-glass token is there under its name, and a refused change is not', async function () {
    const hungUp = randomUUID();
    await call('DELETE', `/v1/calls/${hungUp}`, operators.support.token);
    await call('POST', `/v1/users/${user.id}/balance`, operators.support.token, { amount: '1.00', currency: 'USD', reference: 'refused' });
    const issued = await api('POST', `/v1/operators/${operators.support.id}/tokens`, { name: 'second' });
    const all = (await call('GET', `/v1/audit?target=operator:${operators.support.id}&action=token.issue`, operators.admin.token)).body.entries as Record<string, unknown>[];
    expect(all[0]).to.deep.include({ operator: 'break-glass', role: 'admin', action: 'token.issue' });
    expect((all[0]!.details as Record<string, unknown>).tokenId).to.equal(issued.body.id);
    expect(all[0]).to.not.have.property('operatorId');
    const refused = (await call('GET', `/v1/audit?operator=${operators.support.username}&action=balance.top_up`, operators.admin.token)).body.entries as unknown[];
    expect(refused).to.deep.equal([]);
  });

  it('given many audit entries, when an admin pages with limit and cursor, then the pages do not overlap and go back in time', async function () {
    const first = await call('GET', '/v1/audit?limit=2', operators.admin.token);
    const page1 = first.body.entries as { id: string }[];
    expect(page1).to.have.length(2);
    const second = await call('GET', `/v1/audit?limit=2&cursor=${String(first.body.nextCursor)}`, operators.admin.token);
    const page2 = second.body.entries as { id: string }[];
    expect(page2.length).to.be.greaterThan(0);
    expect(BigInt(page2[0]!.id) < BigInt(page1[1]!.id)).to.be.true;
  });
});
