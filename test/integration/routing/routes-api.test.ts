import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { randomInt } from 'node:crypto';
import { expect } from 'chai';
import { createAdminApi, listen } from '../../../app/admin-api';
import { RouteAnswerResponse } from '../../../app/admin-api/routing-schemas';
import { createBillingModule } from '../../../app/billing';
import { createRoutingModule, type RoutingModule, seededRandom } from '../../../app/routing';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { systemClock, toE164 } from '../../../app/shared/kernel';
import { createUsersModule, type User, type UserService } from '../../../app/users';
import { uniqueUsername } from '../../support/admin-client';
import { testEnv } from '../../support/test-env';
import { newCarrier } from './support';

type Body = Record<string, unknown>;
type Route = { carrierId: string; rank: number; explored: boolean; aboveRetail: boolean; cost: Body; quality: Body; reasons: string[] };
const HEADER = 'prefix,rate_per_minute,connect_fee,first_increment,next_increment';

// A valid, unused-looking London number.
function londonNumber(): string {
  for (;;) {
    const number = toE164(`+44207${randomInt(1_000_000, 10_000_000)}`);
    if (number) return number;
  }
}

// GET /v1/routes and POST /v1/carriers/{id}/rates, in-process against the real PostgreSQL, with the
// real users and billing modules (the retail price comes from the sender's price plan).
describe('integration: admin API routes and carrier rate decks', function () {
  this.timeout(60_000);
  const token = 'integration-token-0123456789';
  let db: Database;
  let sql: Sql;
  let users: UserService;
  let routing: RoutingModule;
  let server: Server;
  let base: string;
  let sender: User;
  const mine: string[] = [];

  const request = async (method: string, path: string, body?: string, contentType = 'text/csv'): Promise<{ status: number; body: Body }> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = contentType;
    const res = await fetch(`${base}${path}`, { method, headers, body });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Body) : {} };
  };
  const carrier = async (extra: Parameters<typeof newCarrier>[1] = {}): Promise<string> => {
    const id = await newCarrier(db, extra);
    mine.push(id);
    await routing.service.refresh();
    return id;
  };
  const party = () => ({ userId: sender.id, username: sender.username, phoneNumber: sender.phoneNumber });
  // Other tests' carriers may be there too: each test looks at its own.
  const routesOf = (body: Body, ids: string[]): Route[] => (body.routes as Route[]).filter((route) => ids.includes(route.carrierId));
  const excludedOf = (body: Body, ids: string[]): Array<{ carrierId: string; reason: string }> => (body.excluded as Array<{ carrierId: string; reason: string }>).filter((e) => ids.includes(e.carrierId));

  before(async function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 6 });
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 2, log: silentLogger });
    users = createUsersModule({ db, sql, clock: systemClock, options: { realm: testEnv.sipRealm, maxDevicesPerUser: 3 } });
    const billing = createBillingModule({ db, clock: systemClock });
    routing = createRoutingModule({ db, sql, retail: billing, clock: systemClock, random: seededRandom(5), options: { explorationRate: 0 } });
    await routing.service.start();
    server = await listen(createAdminApi({ token, users, billing, routing: routing.service, log: silentLogger, health: [] }), '127.0.0.1', 0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    sender = await users.create({ username: uniqueUsername('route'), password: 'route-test-password', phoneNumber: londonNumber() });
    const plan = await billing.createPricePlan({ name: `routes-${sender.username}`, currency: 'USD' });
    await billing.importRates(plan.id, 'prefix,rate_per_minute\n44,0.05\n4420,0.04\n');
    await billing.assignPlan(sender.id, plan.id);
  });

  after(async function () {
    // Later runs share the database: these carriers leave the way the carriers module deletes them.
    await db?.carrier.updateMany({ where: { id: { in: mine } }, data: { deletedAt: new Date() } });
    server?.close();
    await db?.$disconnect();
    await sql?.end();
  });

  it('given a rate file with bad rows, then 400 lists every bad line and nothing is imported; a good file replaces the whole deck', async function () {
    const id = await carrier();
    const first = await request('POST', `/v1/carriers/${id}/rates`, `${HEADER}\n44,0.03,,,\n`);
    expect(first).to.deep.equal({ status: 200, body: { carrierId: id, imported: 1, version: 1 } });
    const bad = [HEADER, '4420,0.01,,60,60', '44x,0.01,,,', '4479,-0.01,,,', '4420,0.02,,,', '447,0.01,0.001,,', '33,0.01,,0,', ''].join('\n');
    const refused = await request('POST', `/v1/carriers/${id}/rates`, bad);
    expect(refused.status).to.equal(400);
    expect(refused.body.code).to.equal('RATES.INVALID');
    const details = refused.body.details as { errors: Array<{ line: number; field?: string; message: string }>; errorCount: number };
    expect(details.errors.map((e) => [e.line, e.field])).to.deep.equal([
      [3, 'prefix'],
      [4, 'rate_per_minute'],
      [5, 'prefix'],
      [6, 'connect_fee'],
      [7, 'first_increment'],
    ]);
    expect(details.errors[2]?.message).to.equal('prefix 4420 has the same prefix and time band as line 2');
    expect(await db.carrierRate.count({ where: { carrierId: id } })).to.equal(1);
    const banded = await request('POST', `/v1/carriers/${id}/rates`, `${HEADER},time_from,time_to\n44,0.01,,,,08:00,18:00\n`);
    expect(banded.status).to.equal(400);
    expect((banded.body.details as { errors: unknown[] }).errors).to.deep.equal([{ line: 2, field: 'time_from', message: 'carrier rates have no time-of-day bands: leave time_from and time_to empty' }]);

    const lines = [HEADER, '44,0.012,,1,1'];
    for (let i = 0; i < 20_000; i += 1) lines.push(`4420${String(i).padStart(5, '0')},0.00${(i % 9) + 1},,60,60`);
    const replaced = await request('POST', `/v1/carriers/${id}/rates`, `${lines.join('\r\n')}\r\n`);
    expect(replaced).to.deep.equal({ status: 200, body: { carrierId: id, imported: 20_001, version: 2 } });
    expect(await db.carrierRate.count({ where: { carrierId: id } })).to.equal(20_001);
    expect(await db.carrierRate.findUnique({ where: { carrierId_prefix: { carrierId: id, prefix: '4420' } } })).to.equal(null);
  });

  it('given a carrier that does not exist or a body that is not CSV, then 404 and 400', async function () {
    expect((await request('POST', '/v1/carriers/7d4f0a3e-7a0e-4c53-9d8a-2f9b4a1c0e11/rates', `${HEADER}\n44,0.01,,,\n`)).body.code).to.equal('CARRIER.NOT_FOUND');
    expect((await request('POST', '/v1/carriers/not-a-uuid/rates', `${HEADER}\n44,0.01,,,\n`)).status).to.equal(404);
    const id = await carrier();
    const json = await request('POST', `/v1/carriers/${id}/rates`, '{"rates":[]}', 'application/json');
    expect(json.status).to.equal(400);
    expect(json.body.code).to.equal('REQUEST.INVALID');
  });

  it('given carriers with decks, then GET /v1/routes with a national number ranks the eligible ones, excludes the others and says why', async function () {
    const cheap = await carrier();
    const dear = await carrier();
    const aboveAllowed = await carrier({ allowAboveRetail: true });
    const aboveRefused = await carrier();
    const disabled = await carrier({ enabled: false });
    const uncovered = await carrier();
    const decks: Array<[string, string]> = [
      [cheap, '44,0.02,,60,60\n4420,0.01,,1,1'],
      [dear, '44,0.03,0.01,60,60'],
      [aboveAllowed, '4420,0.045,0.05,60,60'],
      [aboveRefused, '4420,0.06,,60,60'],
      [disabled, '44,0.001,,,'],
      [uncovered, '33,0.001,,,'],
    ];
    const ids = decks.map(([id]) => id);
    for (const [id, rows] of decks) expect((await request('POST', `/v1/carriers/${id}/rates`, `${HEADER}\n${rows}\n`)).status).to.equal(200);

    const national = `0${sender.phoneNumber.slice(3)}`;
    const res = await request('GET', `/v1/routes?from=${sender.username}&to=${encodeURIComponent(national)}`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(RouteAnswerResponse.safeParse(res.body).success, JSON.stringify(RouteAnswerResponse.safeParse(res.body).error?.issues)).to.equal(true);
    expect(res.body).to.deep.include({ to: national, destination: sender.phoneNumber, prefixes: { country: '44', area: '4420' }, strategy: 'blended', currency: 'USD' });
    expect(res.body.retail).to.deep.include({ currency: 'USD', prefix: '4420', ratePerMinute: '0.04', referenceCallCost: '0.08', comparable: true });
    const routes = routesOf(res.body, ids);
    expect(routes.map((r) => r.carrierId)).to.deep.equal([cheap, dear, aboveAllowed]);
    expect(routes.map((r) => r.aboveRetail)).to.deep.equal([false, false, true]);
    expect(routes[0]?.cost).to.deep.include({ prefix: '4420', ratePerMinute: '0.01', referenceCallCost: '0.02', referenceCallCostMicros: 20_000, score: 1 });
    expect(routes[0]?.reasons[0]).to.equal('cost: 0.02 USD for a 120 s call (0.01/min at deck prefix 4420, 1/1 s), the cheapest');
    expect(excludedOf(res.body, ids)).to.have.deep.members([
      { carrierId: aboveRefused, carrierName: (await db.carrier.findUniqueOrThrow({ where: { id: aboveRefused } })).name, reason: 'above_retail' },
      { carrierId: disabled, carrierName: (await db.carrier.findUniqueOrThrow({ where: { id: disabled } })).name, reason: 'disabled' },
      { carrierId: uncovered, carrierName: (await db.carrier.findUniqueOrThrow({ where: { id: uncovered } })).name, reason: 'no_rate' },
    ]);
    const byId = await request('GET', `/v1/routes?from=${sender.id}&to=${encodeURIComponent(sender.phoneNumber)}`);
    expect(routesOf(byId.body, ids).map((r) => r.carrierId)).to.deep.equal([cheap, dear, aboveAllowed]);

    // The call state manager's Router port: the same order, as carrier ids.
    const carriers = await routing.service.routesFor({ callId: 'c1', caller: party(), destination: sender.phoneNumber, at: new Date() });
    expect(carriers.filter((id) => ids.includes(id))).to.deep.equal([cheap, dear, aboveAllowed]);
  });

  it('given a number that is not valid, or a sender that does not exist, then 400 and 404', async function () {
    const invalid = await request('GET', `/v1/routes?from=${sender.username}&to=12`);
    expect(invalid.status).to.equal(400);
    expect(invalid.body).to.deep.include({ code: 'ROUTING.INVALID_DESTINATION', details: { to: '12', senderCountry: 'GB' } });
    expect((await request('GET', `/v1/routes?from=${sender.username}`)).body.code).to.equal('REQUEST.INVALID');
    expect((await request('GET', '/v1/routes?from=nobody-here&to=%2B442071838750')).body.code).to.equal('USER.NOT_FOUND');
  });

  it('given exploration on, then GET /v1/routes never explores (same order every time, nothing flagged) while a call does', async function () {
    const exploring = createRoutingModule({ db, sql, retail: createBillingModule({ db, clock: systemClock }), clock: systemClock, random: seededRandom(9), options: { explorationRate: 1, explorationMaxCalls: 3 } });
    const first = await carrier();
    const second = await carrier();
    expect((await request('POST', `/v1/carriers/${first}/rates`, `${HEADER}
4420,0.0001,,,
`)).status).to.equal(200);
    expect((await request('POST', `/v1/carriers/${second}/rates`, `${HEADER}
4420,0.0002,,,
`)).status).to.equal(200);
    await exploring.service.start();
    const api = await listen(createAdminApi({ token, users, routing: exploring.service, log: silentLogger, health: [] }), '127.0.0.1', 0);
    try {
      const url = `http://127.0.0.1:${(api.address() as AddressInfo).port}/v1/routes?from=${sender.username}&to=${encodeURIComponent(sender.phoneNumber)}`;
      const orders = new Set<string>();
      for (let i = 0; i < 20; i += 1) {
        const body = (await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).json()) as Body;
        const routes = body.routes as Route[];
        expect(routes.filter((route) => route.explored)).to.deep.equal([]);
        orders.add(routes.map((route) => route.carrierId).join(','));
      }
      expect(orders.size).to.equal(1);
      const ranked = [...orders][0]?.split(',') ?? [];
      // Every call explores while the budget lasts (rate 1): the first carrier is never the ranked first.
      const call = await exploring.service.routesFor({ callId: 'explore-1', caller: party(), destination: sender.phoneNumber, at: new Date() });
      expect(call[0]).to.not.equal(ranked[0]);
    } finally {
      api.close();
    }
  });

  it('given two instances, when one imports a deck and a carrier is disabled, then the other routes accordingly after its refresh', async function () {
    const other = createRoutingModule({ db, sql, retail: createBillingModule({ db, clock: systemClock }), clock: systemClock, options: { explorationRate: 0 } });
    await other.service.start();
    const id = await carrier();
    await other.service.refresh();
    const order = async (): Promise<string[]> => (await other.service.routesFor({ callId: 'c2', caller: party(), destination: sender.phoneNumber, at: new Date() })).filter((c) => c === id);
    expect(await order()).to.deep.equal([]);
    await request('POST', `/v1/carriers/${id}/rates`, `${HEADER}\n4420,0.001,,,\n`);
    await other.service.refresh();
    expect(await order()).to.deep.equal([id]);
    await db.carrier.update({ where: { id }, data: { enabled: false } });
    await other.service.refresh();
    expect(await order()).to.deep.equal([]);
  });
});
