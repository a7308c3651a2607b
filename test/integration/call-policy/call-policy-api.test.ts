import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { expect } from 'chai';
import { Registry } from 'prom-client';
import { createAdminApi, listen } from '../../../app/admin-api';
import { createCallPolicyModule, RedisCallCounters, type CallPolicyModule } from '../../../app/call-policy';
import { DEFAULT_EMERGENCY_NUMBERS, parseEmergencyNumbers } from '../../../app/config';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { connectRedis, type Redis } from '../../../app/shared/infra/redis';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { systemClock, systemScheduler } from '../../../app/shared/kernel';
import { createUsersModule } from '../../../app/users';
import { uniquePhoneNumber, uniqueUsername } from '../../support/admin-client';
import { testEnv } from '../../support/test-env';

type Body = Record<string, unknown>;

// The call admission settings through the admin API in-process, on the real PostgreSQL and Redis.
describe('integration: call policy API and counters', function () {
  const token = 'integration-token-0123456789';
  let db: Database;
  let sql: Sql;
  let redis: Redis;
  let server: Server;
  let base: string;
  let policy: CallPolicyModule;

  const request = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Body }> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Body) : {} };
  };

  before(async function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 4 });
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 2, log: silentLogger });
    redis = await connectRedis(testEnv.redisUrl, silentLogger);
    const users = createUsersModule({ db, sql, clock: systemClock, options: { realm: testEnv.sipRealm, maxDevicesPerUser: 3 } });
    policy = createCallPolicyModule({
      config: { emergencyNumbers: parseEmergencyNumbers(DEFAULT_EMERGENCY_NUMBERS).table, emergencyCarrierRefreshMs: 60_000, blockedPrefixes: ['+881'], cacheMs: 0, destinationCallsPerMinute: 0, destinationBlockMinutes: 0 },
      carriers: { emergencyCarriers: () => Promise.resolve([]) },
      standing: users,
      sql,
      redis,
      metrics: new Registry(),
      scheduler: systemScheduler,
      log: silentLogger,
    });
    await policy.start();
    server = await listen(createAdminApi({ token, users, callPolicy: policy.admin, log: silentLogger, health: [] }), '127.0.0.1', 0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async function () {
    server?.close();
    await policy?.stop();
    await redis?.quit();
    await db?.$disconnect();
    await sql?.end();
  });

  it("given a plan default and a user override, then the user's effective settings take its own first, the plan's for the rest; null clears its own", async function () {
    const plan = await db.pricePlan.create({ data: { name: `it-policy-${Date.now().toString(36)}`, currency: 'USD' } });
    const user = await db.user.create({ data: { username: uniqueUsername('it'), phoneNumber: uniquePhoneNumber() } });
    await db.account.create({ data: { userId: user.id, currency: 'USD', planId: plan.id } });
    const planSet = await request('PUT', `/v1/price-plans/${plan.id}/call-policy`, { maxCalls: 4, maxPstnCalls: 2, dailySpendCapMinor: 1000 });
    expect(planSet.status).to.equal(200);
    expect(planSet.body).to.deep.equal({ own: { maxCalls: 4, maxPstnCalls: 2, dailySpendCapMinor: 1000 } });
    const userSet = await request('PUT', `/v1/users/${user.id}/call-policy`, { maxCalls: 1, clir: true });
    expect(userSet.body).to.deep.equal({ own: { maxCalls: 1, clir: true }, effective: { maxCalls: 1, maxPstnCalls: 2, dailySpendCapMinor: 1000, clir: true } });
    const cleared = await request('PUT', `/v1/users/${user.id}/call-policy`, { maxCalls: null });
    expect(cleared.body).to.deep.include({ effective: { maxCalls: 4, maxPstnCalls: 2, dailySpendCapMinor: 1000, clir: true } });
    expect((await request('GET', `/v1/users/${user.id}/call-policy`)).body).to.deep.equal(cleared.body);
  });

  it('given unknown users or plans, or bad values, then 404 and 400', async function () {
    expect((await request('PUT', '/v1/users/00000000-0000-4000-8000-00000000dead/call-policy', { maxCalls: 1 })).status).to.equal(404);
    expect((await request('PUT', '/v1/price-plans/00000000-0000-4000-8000-00000000dead/call-policy', { maxCalls: 1 })).status).to.equal(404);
    const user = await db.user.create({ data: { username: uniqueUsername('it'), phoneNumber: uniquePhoneNumber() } });
    expect((await request('PUT', `/v1/users/${user.id}/call-policy`, { maxCalls: -1 })).status).to.equal(400);
    expect((await request('PUT', `/v1/users/${user.id}/call-policy`, { maxCals: 1 })).status).to.equal(400);
  });

  it('given a prefix blocked and unblocked through the API, then the list shows it with the configured ones, and calls to it are refused only meanwhile', async function () {
    const prefix = `+4490${Date.now() % 1000}`;
    const created = await request('POST', '/v1/blocked-prefixes', { prefix, reason: 'premium rate' });
    expect(created.status).to.equal(201);
    const listed = await request('GET', '/v1/blocked-prefixes');
    expect(listed.body.configured).to.deep.equal(['+881']);
    expect(listed.body.added).to.deep.include({ prefix, reason: 'premium rate' });
    const caller = { userId: (await db.user.create({ data: { username: uniqueUsername('it'), phoneNumber: uniquePhoneNumber() } })).id, username: 'x', phoneNumber: '+14155550101' };
    const admitted = (callId: string) => policy.admission.admitPstn({ callId, caller, dialed: `${prefix}12345`, destination: `${prefix}12345`, at: new Date() });
    expect(await admitted('00000000-0000-4000-8000-000000000001')).to.include({ cause: 'blocked_destination' });
    expect((await request('DELETE', `/v1/blocked-prefixes/${encodeURIComponent(prefix)}`)).status).to.equal(204);
    expect((await admitted('00000000-0000-4000-8000-000000000002')).kind).to.equal('allowed');
    expect((await request('DELETE', `/v1/blocked-prefixes/${encodeURIComponent(prefix)}`)).status).to.equal(404);
    expect((await request('POST', '/v1/blocked-prefixes', { prefix: '44909', reason: 'no plus' })).status).to.equal(400);
  });

  it('given per-user slots in Redis, then the limit holds across counters (controllers), a released slot comes back, and an expired slot of a dead controller frees itself', async function () {
    const userId = `it-${Date.now().toString(36)}`;
    const one = new RedisCallCounters(redis, { slotTtlSeconds: 1 });
    const other = new RedisCallCounters(redis, { slotTtlSeconds: 1 });
    expect(await one.tryAcquire('all', userId, 'a', 2)).to.equal(true);
    expect(await other.tryAcquire('all', userId, 'b', 2)).to.equal(true);
    expect(await one.tryAcquire('all', userId, 'c', 2)).to.equal(false);
    await other.release('all', userId, 'b');
    expect(await one.tryAcquire('all', userId, 'c', 2)).to.equal(true);
    // Nobody holds them again: both expire.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await one.active('all', userId)).to.equal(0);
    expect(await other.tryCountHourly(userId, 1, new Date())).to.equal(true);
    expect(await other.tryCountHourly(userId, 1, new Date())).to.equal(false);
  });
});
