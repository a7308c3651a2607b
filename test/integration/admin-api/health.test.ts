import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { expect } from 'chai';
import { connect, type NatsConnection } from 'nats';
import { natsConnectOptions } from '../../../app/shared/infra/nats';
import { createClient } from 'redis';
import { createAdminApi, listen, type HealthCheck } from '../../../app/admin-api';
import { systemClock } from '../../../app/shared/kernel';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { AriRest } from '../../../app/switch';
import { createUsersModule } from '../../../app/users';
import { testEnv } from '../../support/test-env';

describe('integration: health', function () {
  let db: Database;
  let sql: Sql;
  let redis: ReturnType<typeof createClient>;
  let nats: NatsConnection;
  let ari: AriRest;
  const servers: Server[] = [];

  async function serve(checks: HealthCheck[]): Promise<string> {
    const users = createUsersModule({ db, sql, clock: systemClock, options: { realm: 'r', maxDevicesPerUser: 1 } });
    const server = await listen(createAdminApi({ token: 'health-token-0123456789', users, log: silentLogger, health: checks }), '127.0.0.1', 0);
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
  }

  before(async function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 2 });
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 2, log: silentLogger });
    redis = createClient({ url: testEnv.redisUrl });
    await redis.connect();
    nats = await connect({ ...natsConnectOptions(testEnv.natsUrl) });
    ari = new AriRest({ url: testEnv.ariUrl, user: testEnv.ariUser, password: testEnv.ariPassword, maxSockets: 2, timeoutMs: 1000 });
  });

  after(async function () {
    for (const server of servers) server.close();
    ari.close();
    await nats.close();
    await redis.quit();
    await db.$disconnect();
    await sql?.end();
  });

  const realChecks = (): HealthCheck[] => [
    { name: 'postgres', check: async () => void (await db.$queryRaw`SELECT 1`) },
    { name: 'redis', check: async () => void (await redis.ping()) },
    { name: 'nats', check: async () => void (await nats.rtt()) },
    { name: 'ari', check: async () => void (await ari.get('/asterisk/ping')) },
  ];

  it('given PostgreSQL, Redis, NATS and ARI all reachable, then /healthz is 200 without a token', async function () {
    const res = await fetch(await serve(realChecks()));
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { status: string; checks: Record<string, { ok: boolean }> };
    expect(body.status).to.equal('ok');
    expect(Object.keys(body.checks)).to.have.members(['postgres', 'redis', 'nats', 'ari']);
  });

  it('given ARI does not answer, then /healthz is 503 and names ari only', async function () {
    const deadAri = new AriRest({ url: 'http://127.0.0.1:1', user: 'x', password: 'y', maxSockets: 1, timeoutMs: 500 });
    const checks = realChecks().map((check) => (check.name === 'ari' ? { name: 'ari', check: async () => void (await deadAri.get('/asterisk/ping')) } : check));
    const res = await fetch(await serve(checks));
    deadAri.close();
    expect(res.status).to.equal(503);
    const body = (await res.json()) as { status: string; checks: Record<string, { ok: boolean; error?: string }> };
    expect(body.status).to.equal('unavailable');
    expect(body.checks.ari?.ok).to.equal(false);
    expect(body.checks.ari?.error).to.match(/ECONNREFUSED|failed/);
    expect(body.checks.postgres?.ok).to.equal(true);
  });

  it('given a dependency that hangs, then /healthz answers 503 within its check timeout', async function () {
    const started = Date.now();
    const res = await fetch(await serve([{ name: 'redis', check: () => new Promise(() => undefined) }]));
    expect(res.status).to.equal(503);
    expect(((await res.json()) as { checks: Record<string, { error?: string }> }).checks.redis?.error).to.match(/no answer/);
    expect(Date.now() - started).to.be.lessThan(10_000);
  });
});
