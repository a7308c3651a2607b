import { randomUUID } from 'node:crypto';
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createAdminApi, listen } from '../../../app/admin-api';
import { createCallLogModule, type CallLog, type CarrierCosts } from '../../../app/call-log';
import { type CallEnded } from '../../../app/shared/events';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { systemClock } from '../../../app/shared/kernel';
import { createUsersModule } from '../../../app/users';
import { testEnv } from '../../support/test-env';

// A batch of ended calls of one test run, all in one hour of its own, so filters see only them.
const HOUR = new Date(Date.UTC(2031, 0, 1 + Math.floor(Math.random() * 3000) % 365, Math.floor(Math.random() * 24)));
const at = (seconds: number): string => new Date(HOUR.getTime() + seconds * 1000).toISOString();

function ended(i: number, over: Partial<CallEnded> = {}): CallEnded {
  return {
    id: randomUUID(),
    version: 1,
    type: 'call.v1.ended',
    callId: randomUUID(),
    occurredAt: at(i * 10 + 5),
    caller: { userId: randomUUID(), username: `caller${i}`, phoneNumber: '+14155550101' },
    callee: { userId: randomUUID(), username: `callee${i}`, phoneNumber: '+14155550102' },
    dialed: `callee${i}`,
    cause: 'completed',
    sipCode: 200,
    requestedAt: at(i * 10),
    ringingAt: at(i * 10 + 1),
    answeredAt: at(i * 10 + 2),
    endedAt: at(i * 10 + 5),
    talkMs: 3000,
    direction: 'on-net',
    attempts: [{ outcome: 'answered' }],
    quality: { caller: { rxPackets: 10, txPackets: 10, rxJitterMs: 1.5, txJitterMs: 1, rxPacketsLost: 2, txPacketsLost: 0, mes: 91 } },
    history: [{ state: 'requested', at: at(i * 10) }, { state: 'ended', at: at(i * 10 + 5) }],
    ...over,
  };
}

describe('integration: the call history (GET /v1/call-records)', function () {
  const token = 'integration-token-0123456789';
  let sql: Sql;
  let db: Database;
  let callLog: CallLog;
  let server: Server;
  let base: string;
  const alice = randomUUID();
  const bob = { userId: randomUUID(), username: 'bob', phoneNumber: '+14155550177' };
  const carrierId = randomUUID();
  const events: CallEnded[] = [];
  // 1 ct a second through the carrier: 30 s cost 0.30 USD.
  const costs: CarrierCosts = { carrierCostOf: (id, _dialed, _from, seconds) => (id === carrierId ? { micros: BigInt(seconds) * 10_000n, currency: 'USD' } : undefined) };

  const get = async (query: string, accept = 'application/json'): Promise<{ status: number; text: string; type: string | null }> => {
    const res = await fetch(`${base}/v1/call-records?${query}`, { headers: { authorization: `Bearer ${token}`, accept } });
    return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
  };
  const records = async (query: string): Promise<Record<string, unknown>[]> => {
    const res = await get(query);
    expect(res.status, res.text).to.equal(200);
    return (JSON.parse(res.text) as { records: Record<string, unknown>[] }).records;
  };
  const window = `from=${encodeURIComponent(HOUR.toISOString())}&to=${encodeURIComponent(new Date(HOUR.getTime() + 3600_000).toISOString())}`;

  before(async function () {
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 4, log: silentLogger });
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 2 });
    callLog = createCallLogModule({ sql, log: silentLogger, node: 'node-a', costs });
    const users = createUsersModule({ db, sql, clock: systemClock, options: { realm: testEnv.sipRealm, maxDevicesPerUser: 3 } });
    server = await listen(createAdminApi({ token, users, callRecords: callLog, log: silentLogger, health: [] }), '127.0.0.1', 0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    for (let i = 0; i < 12; i += 1) events.push(ended(i));
    // Alice's two calls: one she made out through the carrier (30 s, priced), one she got and missed.
    events.push(
      ended(20, {
        caller: { userId: alice, username: 'alice', phoneNumber: '+14155550199' },
        callee: undefined,
        dialed: '+442071838750',
        direction: 'outbound',
        carrierId,
        talkMs: 30_000,
        attempts: [{ carrierId: randomUUID(), outcome: 'congestion', sipCode: 503 }, { carrierId, outcome: 'answered', sipCode: 200, pddMs: 800 }],
      }),
      ended(21, { callee: { userId: alice, username: 'alice', phoneNumber: '+14155550199' }, cause: 'no_answer', sipCode: 480, talkMs: 0, answeredAt: undefined }),
    );
    // Bob's calls, made and received, one to himself (caller and callee: listed once).
    events.push(
      ended(30, { caller: bob }),
      ended(31, { callee: bob }),
      ended(32, { caller: bob, callee: bob, dialed: 'bob' }),
      ended(33, { callee: bob }),
      ended(34, { caller: bob }),
    );
    for (const event of events) await callLog.recordEndedCall(event);
    const invoiceId = randomUUID();
    await sql.query("INSERT INTO invoices (id, user_id, period, currency) VALUES ($1, $2, '2031-01', 'USD')", [invoiceId, alice]);
    await sql.query(
      `INSERT INTO invoice_lines (invoice_id, event_id, call_id, destination, started_at, talk_seconds, billed_seconds, rate_per_minute_micros, connect_fee_minor, amount_minor, currency)
       VALUES ($1, $2, $3, '44', $4, 30, 30, 1000000, 0, 50, 'USD')`,
      [invoiceId, randomUUID(), events[12]!.callId, events[12]!.answeredAt],
    );
  });

  after(async function () {
    server?.close();
    await sql?.end();
    await db?.$disconnect();
  });

  it('given calls in a window, when the history is read, then they come newest first, with parties, times, cause, talk time and node', async function () {
    const page = await records(`${window}&limit=500`);
    expect(page.map((r) => r.callId)).to.deep.equal([...events].reverse().map((e) => e.callId));
    expect(page.at(-1)).to.deep.include({ direction: 'on-net', dialed: 'callee0', endCause: 'completed', sipCode: 200, talkSeconds: 3, node: 'node-a', requestedAt: at(0), ringingAt: at(1), answeredAt: at(2), endedAt: at(5) });
    expect(page.at(-1)!.caller).to.deep.equal({ userId: events[0]!.caller.userId, username: 'caller0', number: '+14155550101' });
    expect((page.at(-1)!.quality as { caller: { mes: number } }).caller.mes).to.equal(91);
  });

  it('given an outbound call through a carrier that the user paid for, then its record has the carrier attempts in order, price, carrier cost and margin', async function () {
    const [record] = await records(`${window}&user=${alice}&direction=outbound`);
    expect(record).to.deep.include({ carrierId, price: { amount: '0.50', currency: 'USD' }, carrierCost: { amount: '0.30', currency: 'USD' }, margin: { amount: '0.20', currency: 'USD' } });
    expect(record!.callee).to.deep.equal({ number: '+442071838750' });
    expect((record!.attempts as { outcome: string }[]).map((a) => a.outcome)).to.deep.equal(['congestion', 'answered']);
  });

  it('given each filter, then only the calls that match it come back', async function () {
    const ids = async (query: string): Promise<string[]> => (await records(`${window}&${query}`)).map((r) => String(r.callId));
    expect(await ids(`user=${alice}`)).to.deep.equal([events[13]!.callId, events[12]!.callId]);
    expect(await ids('number=%2B442071838750')).to.deep.equal([events[12]!.callId]);
    expect(await ids(`carrier=${carrierId}`)).to.deep.equal([events[12]!.callId]);
    expect(await ids('endCause=no_answer')).to.deep.equal([events[13]!.callId]);
    expect(await ids('sipCode=480')).to.deep.equal([events[13]!.callId]);
    expect(await ids('minDuration=10')).to.deep.equal([events[12]!.callId]);
    expect(await ids('direction=inbound')).to.deep.equal([]);
    const narrow = `from=${encodeURIComponent(at(30))}&to=${encodeURIComponent(at(50))}`;
    expect((await records(narrow)).map((r) => r.callId)).to.deep.equal([events[4]!.callId, events[3]!.callId]);
  });

  it('given more calls than a page, when it pages with the cursor, then every call comes once, in order', async function () {
    const seen: string[] = [];
    let cursor = '';
    for (let pages = 0; pages < 10; pages += 1) {
      const res = JSON.parse((await get(`${window}&limit=5${cursor ? `&cursor=${cursor}` : ''}`)).text) as { records: { callId: string }[]; nextCursor?: string };
      seen.push(...res.records.map((r) => r.callId));
      if (!res.nextCursor) break;
      cursor = res.nextCursor;
    }
    expect(seen).to.deep.equal([...events].reverse().map((e) => e.callId));
  });

  it('given a user or a number with more calls than a page, when it pages with the cursor, then each call comes once, in order, a call to oneself too', async function () {
    const bobs = events.slice(-5).reverse().map((e) => e.callId);
    for (const filter of [`user=${bob.userId}`, `number=${encodeURIComponent(bob.phoneNumber)}`]) {
      const seen: string[] = [];
      let cursor = '';
      for (let pages = 0; pages < 5; pages += 1) {
        const res = JSON.parse((await get(`${window}&${filter}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)).text) as { records: { callId: string }[]; nextCursor?: string };
        seen.push(...res.records.map((r) => r.callId));
        if (!res.nextCursor) break;
        cursor = res.nextCursor;
      }
      expect(seen, filter).to.deep.equal(bobs);
    }
  });

  it('given calls through carriers, then the per-carrier sums count each attempt for its carrier and the carrier cost for the one that answered', async function () {
    const res = await fetch(`${base}/v1/call-records/stats?${window}&by=carrier`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).to.equal(200);
    const { rows } = (await res.json()) as { rows: { carrierId: string; calls: number; answered: number; pddMs: number; rang: number; carrierCostMicros: number }[] };
    expect(rows.find((r) => r.carrierId === carrierId)).to.deep.include({ calls: 1, answered: 1, pddMs: 800, rang: 1, carrierCostMicros: 300_000 });
    const failedOver = rows.find((r) => r.carrierId === events[12]!.attempts![0]!.carrierId);
    expect(failedOver).to.deep.include({ calls: 1, answered: 0, carrierCostMicros: 0 });
  });

  it('given Accept: text/csv, then the same calls come as CSV rows, a header first, the same order as the JSON', async function () {
    const res = await get(window, 'text/csv');
    expect(res.status).to.equal(200);
    expect(res.type).to.match(/^text\/csv/);
    const lines = res.text.trimEnd().split('\n');
    expect(lines[0]).to.match(/^call_id,requested_at,/);
    expect(lines.slice(1).map((line) => line.split(',')[0])).to.deep.equal([...events].reverse().map((e) => e.callId));
    const outbound = lines.find((line) => line.startsWith(events[12]!.callId))!;
    expect(outbound).to.include(',0.50,USD,0.30,USD,0.20,');
    expect(outbound).to.include(`:congestion:503;${carrierId}:answered:200`);
  });

  it('given an unknown username or a cursor it did not give, then 404 and 400', async function () {
    expect((await get('user=nobody-here-at-all')).status).to.equal(404);
    expect((await get('cursor=bm90LWEtY3Vyc29y')).status).to.equal(400);
  });
});
