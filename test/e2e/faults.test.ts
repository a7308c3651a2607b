import { randomInt } from 'node:crypto';
import { expect } from 'chai';
import { createClient } from 'redis';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { api, createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { channelsOf, eventually } from '../support/ari';
import { answerOn, call, device, register } from '../support/devices';
import { captureUdp, packetsTo } from '../support/rtp-capture';
import { statusCodes } from '../support/sipp';
import { TcpProxy } from '../support/tcp-proxy';
import { PROJECT_ROOT, testEnv } from '../support/test-env';
import { natsConnectOptions } from '../../app/shared/infra/nats';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// Real processes killed and restarted under live calls; assertions on call records and consumer
// side effects in PostgreSQL.
describe('e2e: surviving faults', function () {
  let db: pg.Client;
  // Every controller a test starts is stopped after it, even when an assertion failed half-way
  // (a leftover controller would keep consuming events during the next tests).
  const started: AppProcess[] = [];
  const startApp = async (overrides: Record<string, string> = {}): Promise<AppProcess> => {
    const app = await AppProcess.start(overrides);
    started.push(app);
    return app;
  };

  afterEach(async function () {
    await Promise.all(started.splice(0).map((app) => app.stop()));
  });

  before(async function () {
    db = new pg.Client({ connectionString: testEnv.databaseUrl });
    await db.connect();
  });

  after(async function () {
    await db?.end();
  });

  const recordsOf = async (caller: TestUser): Promise<{ call_id: string; end_cause: string; talk_ms: number; callee_username: string | null }[]> =>
    (await db.query('SELECT call_id, end_cause, talk_ms, callee_username FROM call_records WHERE caller_user_id = $1 ORDER BY requested_at', [caller.id])).rows as never;

  // A caller on a plan that charges on-net calls (1 cent a second), with 5.00 of credit. The plan is
  // made once, through the first controller a test starts; callers made at the same time wait for
  // that one creation (two would clash on the plan's name).
  let paidPlan: Promise<string> | undefined;
  const paidPlanId = (): Promise<string> =>
    (paidPlan ??= (async () => {
      const plan = await api('POST', '/v1/price-plans', { name: `faults-${Date.now().toString(36)}`, currency: 'USD', onNetRatePerMinute: '0.60', firstIncrementSeconds: 1, nextIncrementSeconds: 1 });
      expect(plan.status, JSON.stringify(plan.body)).to.equal(201);
      return String(plan.body.id);
    })());
  const payingUser = async (prefix: string): Promise<TestUser> => {
    const planId = await paidPlanId();
    const user = await createUser(prefix);
    expect((await api('PUT', `/v1/users/${user.id}/price-plan`, { planId })).status).to.equal(200);
    expect((await api('POST', `/v1/users/${user.id}/balance`, { amount: '5.00', currency: 'USD', reference: `faults-${randomInt(1e9)}` })).status).to.equal(200);
    return user;
  };

  // What the invoice consumer did for each call, counted in its own tables and billing's: statement
  // lines, charges in the ledger, and its processed mark of the call's ended event.
  const invoicingOf = async (callIds: string[]): Promise<Array<{ call_id: string; lines: number; charges: number; marks: number }>> =>
    (
      await db.query(
        `SELECT r.call_id,
                (SELECT count(*)::int FROM invoice_lines l WHERE l.call_id = r.call_id) AS lines,
                (SELECT count(*)::int FROM ledger_entries e WHERE e.call_id = r.call_id AND e.kind = 'charge') AS charges,
                (SELECT count(*)::int FROM processed_events p WHERE p.consumer = 'invoices' AND p.event_id = r.event_id) AS marks
         FROM call_records r WHERE r.call_id = ANY($1::uuid[]) ORDER BY r.call_id`,
        [callIds],
      )
    ).rows as never;
  // Rows as invoicingOf returns them (by call id) for calls applied exactly once.
  const once = (callIds: string[]) => [...callIds].sort().map((call_id) => ({ call_id, lines: 1, charges: 1, marks: 1 }));

  const liveCallsOf = async (user: TestUser): Promise<{ id: string; state: string }[]> => {
    const res = await fetch(`${testEnv.adminUrl}/v1/calls?user=${user.id}`, { headers: { authorization: `Bearer ${testEnv.adminToken}` } });
    return ((await res.json()) as { calls: { id: string; state: string }[] }).calls;
  };

  it('given answered calls, paid ones among them, when the controller is SIGKILLed and a caller hangs up meanwhile, then media keeps flowing, the restarted controller adopts and ends them, strays are hung up, and each call has exactly one record and one invoice line, charged once for the talk time known', async function () {
    this.timeout(120_000);
    let app = await startApp();
    const [alice, bob, carol, dave, erin, frank] = await Promise.all([payingUser('alice'), createUser('bob'), createUser('carol'), createUser('dave'), payingUser('erin'), createUser('frank')]);
    const aliceDevice = device(alice);
    const bobDevice = device(bob);
    const carolDevice = device(carol);
    const daveDevice = device(dave);
    const erinDevice = device(erin);
    const frankDevice = device(frank);
    for (const dev of [aliceDevice, bobDevice, carolDevice, daveDevice, erinDevice, frankDevice]) await register(dev);

    // Calls that survive: alice -> bob (paid), and carol -> dave whose state we will lose on
    // purpose; erin -> frank (paid), where erin hangs up while no controller runs.
    const bobAnswers = await answerOn(bobDevice, { kind: 'answer', ringMs: 100 });
    const daveAnswers = await answerOn(daveDevice, { kind: 'answer', ringMs: 100 });
    const frankAnswers = await answerOn(frankDevice, { kind: 'answer', ringMs: 100 });
    const aliceCalls = call(aliceDevice, bob.username, { holdMs: 14_000 });
    const carolCalls = call(carolDevice, dave.username, { holdMs: 30_000 });
    await eventually(() => liveCallsOf(alice), (calls) => calls[0]?.state === 'answered');
    const [lostCall] = await eventually(() => liveCallsOf(carol), (calls) => calls[0]?.state === 'answered');
    const erinCalls = call(erinDevice, frank.username, { holdMs: 3_000 });
    await eventually(() => liveCallsOf(erin), (calls) => calls[0]?.state === 'answered');

    // carol's call is forgotten by the store: after the restart its channels belong to no call.
    const redis = createClient({ url: testEnv.redisUrl });
    await redis.connect();
    await redis.del(`call:${lostCall?.id ?? ''}`);
    await redis.quit();

    await app.stop('SIGKILL');
    const capture = await captureUdp([aliceDevice.mediaPort, bobDevice.mediaPort]);
    await sleep(1500);
    const whileDown = await capture.stop();
    expect(packetsTo(whileDown, bobDevice.mediaPort), 'RTP to bob while the controller is down').to.be.greaterThan(20);
    expect(packetsTo(whileDown, aliceDevice.mediaPort), 'RTP to alice while the controller is down').to.be.greaterThan(20);
    // erin hangs up before any controller runs again (Asterisk answers her BYE on its own).
    const erinResult = await erinCalls.done;
    expect(erinResult.sent.some((line) => line.startsWith('BYE ')), 'erin hung up').to.equal(true);

    app = await startApp();
    // The stray call (no state) is hung up on both sides at once.
    const [carolResult, daveResult] = await Promise.all([carolCalls.done, daveAnswers.done]);
    expect(carolResult.received.some((line) => line.startsWith('BYE ')), 'carol hung up by the restarted controller').to.equal(true);
    expect(daveResult.received.some((line) => line.startsWith('BYE ')), 'dave hung up by the restarted controller').to.equal(true);
    // The adopted call ends normally when alice hangs up: bob gets the BYE from the new controller.
    const [aliceResult, bobResult] = await Promise.all([aliceCalls.done, bobAnswers.done]);
    expect(aliceResult.exitCode, aliceResult.errors).to.equal(0);
    expect(bobResult.received.some((line) => line.startsWith('BYE '))).to.equal(true);

    const records = await eventually(() => recordsOf(alice), (rows) => rows.length >= 1);
    await sleep(1000);
    expect(await recordsOf(alice)).to.have.length(1);
    expect(records[0]).to.include({ end_cause: 'completed', callee_username: bob.username });
    expect(records[0]?.talk_ms).to.be.within(12_000, 17_000);
    expect(await recordsOf(carol), 'a call whose state was lost has no record').to.have.length(0);
    // The restarted controller found erin gone and hung up frank; erin's call ended once.
    expect((await frankAnswers.done).received.some((line) => line.startsWith('BYE ')), 'frank hung up by the restarted controller').to.equal(true);
    const [erinRecord] = await eventually(() => recordsOf(erin), (rows) => rows.length === 1);
    await sleep(1000);
    expect(await recordsOf(erin)).to.have.length(1);
    const aliceCall = records[0]?.call_id ?? '';
    const erinCall = erinRecord?.call_id ?? '';
    expect(await eventually(() => invoicingOf([aliceCall]), (rows) => rows.every((row) => row.lines > 0 && row.charges > 0)), "alice's call invoiced and charged exactly once").to.deep.equal(once([aliceCall]));
    // erin's call ended while no controller ran: it is billed up to when it was last known alive,
    // which may be its answer (nothing to charge then). Either way: one line, one mark, and a charge
    // exactly when the line has an amount.
    const [erinInvoicing] = await eventually(() => invoicingOf([erinCall]), (rows) => rows.every((row) => row.marks > 0));
    const [erinLine] = (await db.query('SELECT amount_minor::int AS amount FROM invoice_lines WHERE call_id = $1', [erinCall])).rows as { amount: number }[];
    expect(erinInvoicing, "erin's call invoiced once").to.deep.equal({ call_id: erinCall, lines: 1, charges: (erinLine?.amount ?? 0) > 0 ? 1 : 0, marks: 1 });
    expect(erinRecord?.talk_ms, "erin's talk time stops when her call was last known alive").to.be.lessThan(4_000);
    await eventually(async () => [...(await channelsOf(alice.username)), ...(await channelsOf(carol.username)), ...(await channelsOf(dave.username)), ...(await channelsOf(erin.username))], (c) => c.length === 0);
    await app.stop();
  });

  it('given paid calls starting and ending while nats-server restarts, then every call has one record, all its events once in the stream, and exactly one invoice line, charge and processed mark, with nothing dead-lettered', async function () {
    this.timeout(120_000);
    const app = await startApp();
    const [alice, bob] = await Promise.all([payingUser('alice'), createUser('bob')]);
    const deadLettersBefore = await deadLetterCount();
    const aliceDevice = device(alice);
    const bobDevice = device(bob);
    await register(aliceDevice);
    await register(bobDevice);

    const restarted = (async () => {
      await sleep(1500);
      execFileSync('bash', ['scripts/stack.sh', process.env.TEST_PROFILE ?? 'test', 'restart', 'nats'], { cwd: PROJECT_ROOT, stdio: 'ignore' });
    })();
    const calls = 6;
    for (let i = 0; i < calls; i += 1) {
      const callee = await answerOn(bobDevice, { kind: 'answer', ringMs: 100 });
      const [result] = await Promise.all([call(aliceDevice, bob.username, { holdMs: 500, audio: false }).done, callee.done]);
      expect(statusCodes(result), `call ${i}`).to.include(200);
    }
    await restarted;

    const records = await eventually(() => recordsOf(alice), (rows) => rows.length >= calls, 30_000);
    await sleep(2000);
    expect(await recordsOf(alice)).to.have.length(calls);
    expect(records.every((record) => record.end_cause === 'completed')).to.equal(true);
    const stream = await streamCounts(records.map((record) => record.call_id));
    expect(stream.perCall).to.deep.equal(records.map(() => 5));
    // The invoice consumer applied each ended event once: its mark, one statement line, one charge.
    const callIds = records.map((record) => record.call_id);
    expect(await eventually(() => invoicingOf(callIds), (rows) => rows.every((row) => row.lines > 0 && row.charges > 0), 30_000)).to.deep.equal(once(callIds));
    expect(await deadLetterCount(), 'dead letters written during the test').to.equal(deadLettersBefore);
    await app.stop();
  });

  it('given the invoice consumer in the middle of settling ended calls, when the controller is SIGKILLed, then the killed worker committed nothing and after a restart each call has exactly one invoice line, charge and processed mark', async function () {
    this.timeout(150_000);
    let app = await startApp();
    const [alice, carol, bob, dave] = await Promise.all([payingUser('alice'), payingUser('carol'), createUser('bob'), createUser('dave')]);
    const aliceDevice = device(alice);
    const carolDevice = device(carol);
    const bobDevice = device(bob);
    const daveDevice = device(dave);
    for (const dev of [aliceDevice, carolDevice, bobDevice, daveDevice]) await register(dev);
    const bobAnswers = await answerOn(bobDevice, { kind: 'answer', ringMs: 100 });
    const daveAnswers = await answerOn(daveDevice, { kind: 'answer', ringMs: 100 });
    const aliceCalls = call(aliceDevice, bob.username, { holdMs: 2500, audio: false });
    const carolCalls = call(carolDevice, dave.username, { holdMs: 2500, audio: false });
    await eventually(() => liveCallsOf(alice), (calls) => calls[0]?.state === 'answered');
    await eventually(() => liveCallsOf(carol), (calls) => calls[0]?.state === 'answered');

    // The callers' accounts are held by the test: the invoice consumer, settling the ended calls,
    // waits for them inside its transaction (its processed marks already written there).
    const holder = new pg.Client({ connectionString: testEnv.databaseUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM accounts WHERE user_id = ANY($1::uuid[]) FOR UPDATE', [[alice.id, carol.id]]);
      await Promise.all([aliceCalls.done, carolCalls.done, bobAnswers.done, daveAnswers.done]);
      const records = await eventually(async () => [...(await recordsOf(alice)), ...(await recordsOf(carol))], (rows) => rows.length === 2);
      const callIds = records.map((record) => record.call_id);
      // The controller's sessions run as its own role (calling_app): only that role sees their query text.
      const asApp = new pg.Client({ connectionString: testEnv.appDatabaseUrl });
      await asApp.connect();
      try {
        await eventually(
          async () => Number(((await asApp.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE '%FROM accounts%FOR UPDATE%'")).rows[0] as { n: number }).n),
          (waiting) => waiting >= 1,
          20_000,
        );
      } finally {
        await asApp.end();
      }
      await app.stop('SIGKILL');
      await holder.query('ROLLBACK');
      expect(await invoicingOf(callIds), 'what the killed worker committed').to.deep.equal([...callIds].sort().map((call_id) => ({ call_id, lines: 0, charges: 0, marks: 0 })));

      app = await startApp();
      // Its messages were never acked: JetStream redelivers them to the new controller after ack_wait (30 s).
      expect(await eventually(() => invoicingOf(callIds), (rows) => rows.every((row) => row.lines > 0 && row.charges > 0), 90_000)).to.deep.equal(once(callIds));
      await sleep(1000);
      expect(await invoicingOf(callIds)).to.deep.equal(once(callIds));
      const accounts = (await db.query('SELECT reserved_minor::int AS reserved FROM accounts WHERE user_id = ANY($1::uuid[])', [[alice.id, carol.id]])).rows as { reserved: number }[];
      expect(accounts, 'every reservation settled').to.deep.equal([{ reserved: 0 }, { reserved: 0 }]);
    } finally {
      await holder.end();
    }
    await app.stop();
  });

  it('given the ARI connection drops during an answered call, when the caller hangs up meanwhile, then the controller reconnects, finds out and hangs up the callee', async function () {
    this.timeout(90_000);
    const proxy = new TcpProxy('127.0.0.1', Number(testEnv.all.ARI_PORT));
    await proxy.start();
    const app = await startApp({ ARI_URL: `http://127.0.0.1:${proxy.port}` });
    const [alice, bob] = await Promise.all([createUser('alice'), createUser('bob')]);
    const aliceDevice = device(alice);
    const bobDevice = device(bob);
    await register(aliceDevice);
    await register(bobDevice);
    const callee = await answerOn(bobDevice, { kind: 'answer', ringMs: 100 });
    const caller = call(aliceDevice, bob.username, { holdMs: 2500 });
    await eventually(() => liveCallsOf(alice), (calls) => calls[0]?.state === 'answered');

    proxy.cut();
    const aliceResult = await caller.done; // alice hangs up while the controller cannot hear it
    expect(aliceResult.exitCode, aliceResult.errors).to.equal(0);
    await sleep(1000);
    proxy.restore();

    const bobResult = await callee.done;
    expect(bobResult.received.some((line) => line.startsWith('BYE ')), 'bob hung up after the reconnection').to.equal(true);
    const drops = app.logLines('ari websocket reconnecting').length + app.logLines('ari connection lost, retrying').length;
    expect(drops, 'the controller noticed the drop').to.be.greaterThan(0);
    // Once at start, once after the reconnection (logged when its clean-up is done).
    await eventually(() => Promise.resolve(app.logLines('reconciled with the switch').length), (count) => count > 1);
    try {
      const records = await eventually(() => recordsOf(alice), (rows) => rows.length === 1);
      expect(records[0]?.end_cause).to.equal('completed');
    } finally {
      await proxy.stop();
    }
  });
});

// Messages in the dead-letter stream (every consumer's dlq.<consumer> subject).
async function deadLetterCount(): Promise<number> {
  const { connect } = await import('nats');
  const nc = await connect({ ...natsConnectOptions(testEnv.natsUrl) });
  try {
    return (await (await nc.jetstreamManager()).streams.info('DEAD_LETTERS')).state.messages;
  } finally {
    await nc.close();
  }
}

// How many call.v1.* events the CALL_EVENTS stream holds for each call.
async function streamCounts(callIds: string[]): Promise<{ perCall: number[] }> {
  const { connect, StringCodec } = await import('nats');
  const nc = await connect({ ...natsConnectOptions(testEnv.natsUrl) });
  const jsm = await nc.jetstreamManager();
  const codec = StringCodec();
  const counts = new Map(callIds.map((id) => [id, 0]));
  const info = await jsm.streams.info('CALL_EVENTS');
  const last = info.state.last_seq;
  // Only the tail of the stream can hold these calls.
  const first = Math.max(info.state.first_seq, last - callIds.length * 10);
  for (let seq = first; seq <= last; seq += 1) {
    try {
      const message = await jsm.streams.getMessage('CALL_EVENTS', { seq });
      const event = JSON.parse(codec.decode(message.data)) as { callId: string };
      if (counts.has(event.callId)) counts.set(event.callId, (counts.get(event.callId) ?? 0) + 1);
    } catch {
      // a deleted sequence number
    }
  }
  await nc.close();
  return { perCall: callIds.map((id) => counts.get(id) ?? 0) };
}
