import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createAdminApi, listen } from '../../../app/admin-api';
import { BalanceResponse, PricePlanResponse } from '../../../app/admin-api/billing-schemas';
import { createBillingModule } from '../../../app/billing';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { systemClock } from '../../../app/shared/kernel';
import { createUsersModule } from '../../../app/users';
import { testEnv } from '../../support/test-env';
import { newUser, PLAN_CSV_HEADER, uniquePlanName } from './support';

type Body = Record<string, unknown>;

// The billing routes of the admin API, in-process against the real PostgreSQL.
describe('integration: admin API balances and price plans', function () {
  const token = 'integration-token-0123456789';
  let db: Database;
  let sql: Sql;
  let server: Server;
  let base: string;

  const request = async (method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; body: Body }> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = contentType;
    const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Body) : {} };
  };
  const balanceOf = async (userId: string): Promise<Body> => (await request('GET', `/v1/users/${userId}/balance`)).body;

  before(async function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 4 });
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 2, log: silentLogger });
    const users = createUsersModule({ db, sql, clock: systemClock, options: { realm: testEnv.sipRealm, maxDevicesPerUser: 3 } });
    const billing = createBillingModule({ db, clock: systemClock });
    server = await listen(createAdminApi({ token, users, billing, log: silentLogger, health: [] }), '127.0.0.1', 0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async function () {
    server?.close();
    await db?.$disconnect();
    await sql?.end();
  });

  it('given a new user, when topped up, then GET balance shows decimal strings and minor units in the documented shape', async function () {
    const user = await newUser(db);
    expect(await balanceOf(user.id)).to.deep.include({ currency: 'USD', balance: '0.00', balanceMinor: 0 });
    const res = await request('POST', `/v1/users/${user.id}/balance`, { amount: '10.00', currency: 'USD', reference: 'pay-1' });
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.include({ userId: user.id, currency: 'USD', balance: '10.00', reserved: '0.00', available: '10.00', balanceMinor: 1000, reservedMinor: 0, availableMinor: 1000 });
    expect(BalanceResponse.safeParse(res.body).success, JSON.stringify(res.body)).to.equal(true);
    const retry = await request('POST', `/v1/users/${user.id}/balance`, { amount: '10.00', currency: 'USD', reference: 'pay-1' });
    expect(retry).to.deep.equal(res);
    const number = await request('POST', `/v1/users/${user.id}/balance`, { amount: 2.5, currency: 'USD', reference: 'pay-2' });
    expect(number.body).to.include({ balance: '12.50', balanceMinor: 1250 });
    expect(await balanceOf(user.id)).to.deep.equal(number.body);
  });

  it('given bad top-ups, then each is a 4xx with {code, message, details} and the balance is unchanged', async function () {
    const user = await newUser(db);
    await request('POST', `/v1/users/${user.id}/balance`, { amount: '1.00', currency: 'USD', reference: 'seed' });
    const before = await balanceOf(user.id);
    const cases: Array<[unknown, number, string]> = [
      [{ amount: '-5.00', currency: 'USD', reference: 'a' }, 400, 'BILLING.INVALID_AMOUNT'],
      [{ amount: -5, currency: 'USD', reference: 'a' }, 400, 'BILLING.INVALID_AMOUNT'],
      [{ amount: '0', currency: 'USD', reference: 'a' }, 400, 'BILLING.INVALID_AMOUNT'],
      [{ amount: '0.00', currency: 'USD', reference: 'a' }, 400, 'BILLING.INVALID_AMOUNT'],
      [{ amount: 'ten', currency: 'USD', reference: 'a' }, 400, 'BILLING.INVALID_AMOUNT'],
      [{ amount: '1e3', currency: 'USD', reference: 'a' }, 400, 'BILLING.INVALID_AMOUNT'],
      [{ amount: ' 1.00', currency: 'USD', reference: 'a' }, 400, 'BILLING.INVALID_AMOUNT'],
      [{ amount: '1.001', currency: 'USD', reference: 'a' }, 400, 'BILLING.INVALID_AMOUNT'],
      [{ amount: 0.005, currency: 'USD', reference: 'a' }, 400, 'BILLING.INVALID_AMOUNT'],
      [{ amount: '1000000000000', currency: 'USD', reference: 'a' }, 400, 'BILLING.INVALID_AMOUNT'],
      [{ amount: 1e300, currency: 'USD', reference: 'a' }, 400, 'BILLING.INVALID_AMOUNT'],
      [{ amount: '1.00', currency: 'XYZ', reference: 'a' }, 400, 'RATING.UNKNOWN_CURRENCY'],
      [{ amount: '1.00', currency: 'usd', reference: 'a' }, 400, 'REQUEST.INVALID'],
      [{ amount: '1.00', currency: 'EUR', reference: 'a' }, 409, 'BILLING.CURRENCY_MISMATCH'],
      [{ amount: '2.00', currency: 'USD', reference: 'seed' }, 409, 'BILLING.REFERENCE_CONFLICT'],
      [{ amount: '1.00', currency: 'USD' }, 400, 'REQUEST.INVALID'],
      [{ amount: '1.00', currency: 'USD', reference: 'has space' }, 400, 'REQUEST.INVALID'],
      [{ amount: true, currency: 'USD', reference: 'a' }, 400, 'REQUEST.INVALID'],
      [{ amount: '1.00', currency: 'USD', reference: 'a', extra: 1 }, 400, 'REQUEST.INVALID'],
      ['{"amount": ', 400, 'REQUEST.MALFORMED_JSON'],
    ];
    for (const [body, status, code] of cases) {
      const res = await request('POST', `/v1/users/${user.id}/balance`, body);
      expect(res.status, JSON.stringify(body)).to.equal(status);
      expect(res.body.code, JSON.stringify(body)).to.equal(code);
      expect(res.body.message).to.be.a('string');
      expect(res.body.details).to.be.an('object');
    }
    expect(await balanceOf(user.id)).to.deep.equal(before);
    expect(await db.ledgerEntry.count({ where: { userId: user.id } })).to.equal(1);
    const yen = await request('POST', `/v1/users/${user.id}/balance`, { amount: '1.5', currency: 'JPY', reference: 'a' });
    expect(yen.body).to.deep.include({ code: 'BILLING.INVALID_AMOUNT' });
    expect((yen.body.details as Body).reason).to.equal('too_many_decimals');
  });

  it('given an unknown, malformed or deleted user, then 404 USER.NOT_FOUND and no account is created', async function () {
    const user = await newUser(db);
    await db.user.update({ where: { id: user.id }, data: { deletedAt: new Date() } });
    for (const id of [user.id, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      const topUp = await request('POST', `/v1/users/${id}/balance`, { amount: '1.00', currency: 'USD', reference: 'a' });
      expect(topUp.status, id).to.equal(404);
      expect(topUp.body.code).to.equal('USER.NOT_FOUND');
      expect((await request('GET', `/v1/users/${id}/balance`)).status).to.equal(404);
    }
    expect(await db.account.count({ where: { userId: user.id } })).to.equal(0);
  });

  it('given a price plan created over the API, when rates are imported as CSV and assigned to a user, then the plan reports its deck', async function () {
    const name = uniquePlanName('api');
    const created = await request('POST', '/v1/price-plans', { name, currency: 'GBP', rounding: 'nearest', timeZone: 'Europe/London', firstIncrementSeconds: 30, nextIncrementSeconds: 6 });
    expect(created.status).to.equal(201);
    expect(PricePlanResponse.safeParse(created.body).success, JSON.stringify(created.body)).to.equal(true);
    expect(created.body).to.include({ name, currency: 'GBP', onNetRatePerMinute: '0.00', rounding: 'nearest', rateCount: 0 });
    const planId = String(created.body.id);
    expect((await request('POST', '/v1/price-plans', { name, currency: 'GBP' })).body).to.include({ code: 'PRICE_PLAN.NAME_TAKEN' });

    const csv = `${PLAN_CSV_HEADER},description\n44,0.05,0.01,60,60,,,UK\n4420,0.02,,,,,,"London, fixed"\n4420,0.01,,,,19:00,07:00,London night\n`;
    const imported = await request('POST', `/v1/price-plans/${planId}/rates`, csv, 'text/csv');
    expect(imported).to.deep.equal({ status: 200, body: { planId, imported: 3 } });
    expect((await request('GET', `/v1/price-plans/${planId}`)).body).to.include({ rateCount: 3 });
    expect(await db.planRate.findFirst({ where: { planId, prefix: '4420', timeFromMinute: null } })).to.include({ description: 'London, fixed', ratePerMinuteMicros: 20_000n });

    const user = await newUser(db);
    const assigned = await request('PUT', `/v1/users/${user.id}/price-plan`, { planId });
    expect(assigned.status).to.equal(200);
    expect(assigned.body).to.include({ planId, currency: 'GBP', balance: '0.00' });
    const topUp = await request('POST', `/v1/users/${user.id}/balance`, { amount: '5', currency: 'GBP', reference: 'a' });
    expect(topUp.body).to.include({ balance: '5.00' });
  });

  it('given a CSV with bad rows, then 400 RATES.INVALID lists each line and the deck is unchanged; other bodies and ids are refused', async function () {
    const plan = await request('POST', '/v1/price-plans', { name: uniquePlanName('api'), currency: 'USD' });
    const planId = String(plan.body.id);
    await request('POST', `/v1/price-plans/${planId}/rates`, `${PLAN_CSV_HEADER}\n1,0.01,,,,,\n`, 'text/csv');
    const bad = await request('POST', `/v1/price-plans/${planId}/rates`, `${PLAN_CSV_HEADER}\n44,0.1,,,,,\n44,abc,,,,,\n33,0.1,,,,25:00,01:00\n44,0.2,,,,,\n`, 'text/csv');
    expect(bad.status).to.equal(400);
    expect(bad.body.code).to.equal('RATES.INVALID');
    const details = bad.body.details as { errors: Array<{ line: number; field: string; message: string }>; errorCount: number; truncated: boolean };
    expect(details.errors.map((e) => e.line)).to.deep.equal([3, 4, 5]);
    expect(details).to.include({ errorCount: 3, truncated: false });
    expect(details.errors[2]?.message).to.match(/line 2/);
    expect((await request('GET', `/v1/price-plans/${planId}`)).body).to.include({ rateCount: 1 });

    const header = await request('POST', `/v1/price-plans/${planId}/rates`, 'prefix,price\n1,2\n', 'text/csv');
    expect(header.body.code).to.equal('RATES.INVALID');
    expect((await request('POST', `/v1/price-plans/${planId}/rates`, { rows: [] })).body).to.include({ code: 'REQUEST.INVALID' });
    expect((await request('POST', '/v1/price-plans/00000000-0000-4000-8000-000000000000/rates', `${PLAN_CSV_HEADER}\n1,0.01,,,,,\n`, 'text/csv')).status).to.equal(404);
    expect((await request('GET', '/v1/price-plans/not-a-uuid')).body).to.include({ code: 'PRICE_PLAN.NOT_FOUND' });
    const badPlans: unknown[] = [
      { name: uniquePlanName(), currency: 'XXX' },
      { name: uniquePlanName(), currency: 'USD', timeZone: 'Mars/Olympus' },
      { name: uniquePlanName(), currency: 'USD', onNetConnectFee: '0.001' },
      { name: uniquePlanName(), currency: 'USD', rounding: 'banker' },
      { name: uniquePlanName(), currency: 'USD', firstIncrementSeconds: 0 },
      { currency: 'USD' },
    ];
    for (const body of badPlans) expect((await request('POST', '/v1/price-plans', body)).status, JSON.stringify(body)).to.equal(400);
  });

  it('the OpenAPI document describes the billing routes', async function () {
    const doc = (await (await fetch(`${base}/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>>; components: { schemas: Record<string, unknown> } };
    expect(doc.paths['/v1/users/{id}/balance']).to.have.keys('get', 'post');
    expect(doc.paths['/v1/users/{id}/balance']?.post?.responses).to.include.keys('200', '400', '401', '404', '409');
    expect(doc.paths).to.include.keys('/v1/users/{id}/price-plan', '/v1/price-plans', '/v1/price-plans/{id}', '/v1/price-plans/{id}/rates');
    expect(doc.components.schemas).to.include.keys('TopUpRequest', 'Balance', 'PricePlan', 'CreatePricePlanRequest', 'RateImport');
  });
});
