import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Registry } from 'prom-client';
import { createAdminApi, listen } from '../../../app/admin-api';
import { LOCAL_ONLY_INTERCEPT_KEY } from '../../../app/config/schema';
import { createInterceptModule, type InterceptModule } from '../../../app/intercept';
import { systemClock } from '../../../app/shared/kernel';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { createUsersModule } from '../../../app/users';
import { capturingLogger } from '../../support/fakes/capturing-logger';
import { FakeContentTap } from '../../support/fakes/fake-content-tap';
import { InMemoryEvidenceLocation } from '../../support/fakes/in-memory-evidence-location';
import { testEnv } from '../../support/test-env';

// The warrant and agency routes in-process against the real PostgreSQL: who may do what, and the
// audit entry each request leaves.
describe('integration: warrants API', function () {
  const adminToken = 'integration-admin-token-0123456789';
  const token = 'integration-intercept-admin-token-0123';
  const appLog = capturingLogger();
  const interceptLog = capturingLogger();
  let db: Database;
  let sql: Sql;
  let server: Server;
  let base: string;
  let intercept: InterceptModule;

  const request = async (method: string, path: string, body?: unknown, auth: string | null = token): Promise<{ status: number; body: Record<string, unknown> }> => {
    const headers: Record<string, string> = {};
    if (auth !== null) headers.authorization = `Bearer ${auth}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const window = () => ({ validFrom: new Date(Date.now() - 60_000).toISOString(), validUntil: new Date(Date.now() + 3600_000).toISOString() });
  const auditOf = async (warrantId: string) => db.liAuditLog.findMany({ where: { warrantId }, orderBy: { id: 'asc' } });

  before(async function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 4 });
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 2, log: interceptLog });
    intercept = createInterceptModule({
      db,
      sql,
      tap: new FakeContentTap(),
      liveCalls: { liveCallsOf: () => Promise.resolve([]), find: () => Promise.resolve(undefined) },
      storage: [],
      locations: [new InMemoryEvidenceLocation('a')],
      // The app under test's key (local-only): the e2e verification checks these warrants' chains too.
      encryptionKey: Buffer.from(LOCAL_ONLY_INTERCEPT_KEY, 'base64'),
      retentionDays: 3650,
      tickMs: 1000,
      verifyIntervalMs: 60_000,
      instanceId: 'it',
      clock: systemClock,
      log: interceptLog,
      metrics: new Registry(),
    });
    const users = createUsersModule({ db, sql, clock: systemClock, options: { realm: testEnv.sipRealm, maxDevicesPerUser: 3 } });
    server = await listen(createAdminApi({ token: adminToken, users, intercept: { api: intercept, adminToken: token, log: interceptLog }, log: appLog, health: [] }), '127.0.0.1', 0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async function () {
    await new Promise((resolve) => server?.close(resolve));
    await db?.$disconnect();
    await sql?.end();
  });

  it('given the intercept administrator token, then agencies and warrants are managed; given an agency token, then it may not manage them', async function () {
    const agency = await request('POST', '/v1/agencies', { name: 'IT agency' });
    expect(agency.status).to.equal(201);
    expect(String(agency.body.token)).to.match(/^lia_/);
    const agencyToken = String(agency.body.token);
    expect((await request('POST', '/v1/agencies', { name: 'sneaky' }, agencyToken)).status).to.equal(403);

    const created = await request('POST', '/v1/warrants', { agencyId: agency.body.id, targets: [{ type: 'sipUsername', value: 'someone' }], content: false, ...window() });
    expect(created.status).to.equal(201);
    const id = String(created.body.id);
    expect((await request('PATCH', `/v1/warrants/${id}`, { content: true }, agencyToken)).status).to.equal(403);
    expect((await request('POST', `/v1/warrants/${id}/deactivate`, undefined, agencyToken)).status).to.equal(403);
    const modified = await request('PATCH', `/v1/warrants/${id}`, { content: true, targets: [{ type: 'phoneNumber', value: '+14155550123' }] });
    expect(modified.body).to.deep.include({ content: true, targets: [{ type: 'phoneNumber', value: '+14155550123' }] });
    expect((await request('POST', `/v1/warrants/${id}/deactivate`)).body).to.deep.include({ status: 'deactivated' });
    expect((await request('PATCH', `/v1/warrants/${id}`, { content: false })).status).to.equal(409);

    const events = await request('GET', `/v1/warrants/${id}/events`, undefined, agencyToken);
    expect((events.body.events as { kind: string }[]).map((e) => e.kind)).to.deep.equal(['warrant.activated', 'warrant.modified', 'warrant.deactivated']);
    const audit = await auditOf(id);
    expect(audit.map((a) => [a.principalType, a.action, a.outcome, a.status])).to.deep.equal([
      ['agency', 'warrant.modify', 'denied', 403],
      ['agency', 'warrant.deactivate', 'denied', 403],
      ['intercept_admin', 'warrant.modify', 'allowed', 200],
      ['intercept_admin', 'warrant.deactivate', 'allowed', 200],
      ['intercept_admin', 'warrant.modify', 'denied', 409],
      ['agency', 'warrant.events.read', 'allowed', 200],
    ]);
  });

  it('refuses invalid warrants by name: an empty target list, a window ending before it starts, an unknown agency', async function () {
    const agencyId = String((await request('POST', '/v1/agencies', { name: 'IT agency 2' })).body.id);
    expect((await request('POST', '/v1/warrants', { agencyId, targets: [], content: true, ...window() })).status).to.equal(400);
    const reversed = await request('POST', '/v1/warrants', { agencyId, targets: [{ type: 'user', value: randomUUID() }], content: true, validFrom: window().validUntil, validUntil: window().validFrom });
    expect(reversed.body.code).to.equal('WARRANT.INVALID');
    const unknown = await request('POST', '/v1/warrants', { agencyId: randomUUID(), targets: [{ type: 'user', value: randomUUID() }], content: true, ...window() });
    expect([unknown.status, unknown.body.code]).to.deep.equal([404, 'AGENCY.NOT_FOUND']);
    expect((await request('POST', '/v1/warrants', { agencyId, targets: [{ type: 'phoneNumber', value: '12345' }], content: true, ...window() })).status).to.equal(400);
  });

  it("given two agencies, then each lists only its own warrants, and another's is not found", async function () {
    const a = await request('POST', '/v1/agencies', { name: 'A' });
    const b = await request('POST', '/v1/agencies', { name: 'B' });
    const id = String((await request('POST', '/v1/warrants', { agencyId: a.body.id, targets: [{ type: 'sipUsername', value: 'x-target' }], content: true, ...window() })).body.id);
    const listA = await request('GET', '/v1/warrants', undefined, String(a.body.token));
    const listB = await request('GET', '/v1/warrants', undefined, String(b.body.token));
    expect((listA.body.warrants as { id: string }[]).map((w) => w.id)).to.deep.equal([id]);
    expect(listB.body.warrants).to.deep.equal([]);
    expect((await request('GET', `/v1/warrants/${id}`, undefined, String(b.body.token))).status).to.equal(404);
    expect((await request('GET', `/v1/warrants/${randomUUID()}/events`, undefined, String(b.body.token))).status).to.equal(404);
    expect((await request('GET', `/v1/warrants/${id}/recordings`, undefined, 'lia_not-a-token')).status).to.equal(401);
  });

  it("given the admin API's token, then every intercept route answers as an unknown path, for a warrant that exists as for one that does not, and each request is audited", async function () {
    const agency = await request('POST', '/v1/agencies', { name: 'C' });
    const id = String((await request('POST', '/v1/warrants', { agencyId: agency.body.id, targets: [{ type: 'sipUsername', value: 'secret-target' }], content: true, ...window() })).body.id);
    const missing = randomUUID();
    const asOperator = (method: string, path: string, body?: unknown) => request(method, path, body, adminToken);
    const unknownPath = async (method: string, path: string) => {
      const res = await asOperator(method, path);
      return { status: res.status, body: res.body };
    };
    const routes: [string, string, unknown?][] = [
      ['GET', '/v1/warrants'],
      ['POST', '/v1/warrants', { agencyId: agency.body.id, targets: [{ type: 'user', value: randomUUID() }], content: false, ...window() }],
      ['POST', '/v1/agencies', { name: 'operator agency' }],
    ];
    for (const warrant of [id, missing]) {
      routes.push(['GET', `/v1/warrants/${warrant}`], ['PATCH', `/v1/warrants/${warrant}`, { content: false }], ['POST', `/v1/warrants/${warrant}/deactivate`]);
      routes.push(['GET', `/v1/warrants/${warrant}/events`], ['GET', `/v1/warrants/${warrant}/recordings`], ['GET', `/v1/warrants/${warrant}/recordings/${randomUUID()}/audio`]);
    }
    for (const [method, path, body] of routes) {
      const res = await asOperator(method, path, body);
      // The same answer as a path that does not exist at all: nothing to tell the routes or a warrant apart.
      const nowhere = await unknownPath(method, path.replace(/^\/v1\/(warrants|agencies)/, '/v1/nowhere-$1'));
      expect(res.status, `${method} ${path}`).to.equal(404);
      expect(res.body, `${method} ${path}`).to.deep.equal({ ...nowhere.body, details: { method, path } });
      expect(nowhere.body.code).to.equal('ROUTE.NOT_FOUND');
    }
    expect((await request('GET', `/v1/warrants/${id}`)).body).to.deep.include({ id, status: 'active' });
    expect((await request('GET', '/v1/warrants', undefined, adminToken)).body).to.not.have.property('warrants');
    const audit = await auditOf(id);
    expect(audit.filter((a) => a.principalType === 'admin').map((a) => [a.outcome, a.status])).to.deep.equal(Array.from({ length: 6 }, () => ['denied', 404]));
    // And the intercept administrator's token opens nothing of the rest of the admin API.
    expect((await request('GET', '/v1/users/00000000-0000-4000-8000-000000000000', undefined, token)).status).to.equal(401);
  });

  it('given a failing intercept request, then it is logged to the intercept log and the application log learns nothing of it', async function () {
    const agency = await request('POST', '/v1/agencies', { name: 'D' });
    const id = String((await request('POST', '/v1/warrants', { agencyId: agency.body.id, targets: [{ type: 'sipUsername', value: 'logged-target' }], content: true, ...window() })).body.id);
    const recordingId = randomUUID();
    await db.liRecording.create({
      data: { id: recordingId, interceptId: randomUUID(), warrantId: id, callId: randomUUID(), segment: 1, snoopInId: 'a', snoopOutId: 'b', nameIn: 'a', nameOut: 'b', state: 'stored', startedAt: new Date(), objectKey: `warrants/${id}/recordings/${recordingId}.wav.enc`, objectSha256: '0'.repeat(64), sha256: '0'.repeat(64) },
    });
    appLog.entries.length = 0;
    const res = await request('GET', `/v1/warrants/${id}/recordings/${recordingId}/audio`, undefined, String(agency.body.token));
    expect([res.status, res.body.code]).to.deep.equal([503, 'EVIDENCE.UNAVAILABLE']);
    expect(interceptLog.entries.some((entry) => JSON.stringify(entry).includes(id))).to.equal(true);
    expect(appLog.entries.filter((entry) => JSON.stringify(entry).includes(id))).to.deep.equal([]);
    // A row with no evidence behind it: not left for the verification of other suites to find.
    await db.liRecording.delete({ where: { id: recordingId } });
  });

  it('then the OpenAPI document describes the intercept routes', async function () {
    const doc = await request('GET', '/v1/openapi.json', undefined, null);
    expect(Object.keys(doc.body.paths as object)).to.include.members(['/v1/agencies', '/v1/warrants', '/v1/warrants/{id}/events', '/v1/warrants/{id}/recordings/{recordingId}/audio']);
  });
});
