import { expect } from 'chai';
import pg from 'pg';
import { api, createUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { eventually } from '../support/ari';
import { answerOn, call, device, register } from '../support/devices';
import { calledNumbers, carrierAnswers, createCarrier, importCarrierRates, payingUser, removeAllCarriers, type TestCarrier } from '../support/pstn';
import { callRecordsOf } from '../support/records';
import { finalCode, invites } from '../support/sipp';
import { testEnv } from '../support/test-env';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// A controller killed (SIGKILL) in the middle of a call's phase: the phase is in the call's stored
// state, so the restarted controller goes on where its predecessor stopped (the next carrier; the
// callee once the click-to-call's caller answers), and the call is recorded and billed once.
describe('e2e: a controller killed during carrier failover or click-to-call resumes the phase', function () {
  let db: pg.Client;
  let first: TestCarrier;
  let second: TestCarrier;
  const started: AppProcess[] = [];
  const startApp = async (): Promise<AppProcess> => {
    // Routing by cost alone keeps the carriers' order fixed; the ring timeout outlasts a restart.
    const app = await AppProcess.start({ RING_TIMEOUT_SECONDS: '40', CARRIER_PROGRESS_TIMEOUT_SECONDS: '10', ROUTING_STRATEGY: 'least-cost', ROUTING_EXPLORATION_RATE: '0', ROUTING_REFRESH_MS: '200' });
    started.push(app);
    return app;
  };

  before(async function () {
    db = new pg.Client({ connectionString: testEnv.databaseUrl });
    await db.connect();
    const app = await startApp();
    await removeAllCarriers();
    first = await createCarrier(`a-kill-${Date.now().toString(36)}`);
    second = await createCarrier(`b-kill-${Date.now().toString(36)}`);
    await importCarrierRates(first, ['44,0.01']);
    await importCarrierRates(second, ['44,0.02']);
    await app.stop();
  });

  afterEach(async function () {
    for (const app of started.splice(0)) await app.stop();
  });

  after(async function () {
    await db?.end();
  });

  const liveCall = async (userId: string): Promise<{ id: string; state: string } | undefined> => {
    const res = await api('GET', `/v1/calls?user=${userId}`);
    return (res.body.calls as { id: string; state: string }[] | undefined)?.[0];
  };

  const billingOf = async (callId: string): Promise<{ charges: number; lines: number }> =>
    (
      await db.query(
        `SELECT (SELECT count(*)::int FROM ledger_entries WHERE call_id = $1 AND kind = 'charge') AS charges,
                (SELECT count(*)::int FROM invoice_lines WHERE call_id = $1) AS lines`,
        [callId],
      )
    ).rows[0] as never;

  it('given the first carrier ringing and about to answer 503, when the controller is SIGKILLed and restarted, then the second carrier gets the call, which is recorded with both attempts and billed once', async function () {
    this.timeout(120_000);
    const app = await startApp();
    const alice = await createUser('killfo');
    await payingUser(alice.id, ['44,0.60,,1,1,,']);
    const aliceDevice = device(alice);
    await register(aliceDevice);
    // The first carrier rings for 12 s, then fails: the controller is away for part of it.
    const failing = await carrierAnswers(first, { kind: 'reject', ringMs: 12_000, code: 503 });
    const working = await carrierAnswers(second, { kind: 'answer', ringMs: 200 });
    const caller = call(aliceDevice, '+442071838760', { holdMs: 2_000 });
    await eventually(() => liveCall(alice.id), (live) => live?.state === 'ringing', 20_000);
    await app.stop('SIGKILL');
    await startApp();

    const [callerResult, failingResult, workingResult] = await Promise.all([caller.done, failing.done, working.done]);
    expect(finalCode(callerResult), 'the caller is connected through the second carrier').to.equal(200);
    expect(invites(failingResult)).to.equal(1);
    expect(calledNumbers(workingResult)).to.deep.equal(['+442071838760']);
    const [record] = await eventually(() => callRecordsOf(alice.id), (rows) => rows.length === 1, 30_000);
    expect(record).to.include({ end_cause: 'completed', direction: 'outbound', carrier_id: second.id });
    expect(record?.attempts.map((attempt) => [attempt.carrierId, attempt.outcome, attempt.sipCode])).to.deep.equal([
      [first.id, 'congestion', 503],
      [second.id, 'answered', undefined],
    ]);
    const billing = await eventually(() => billingOf(record?.call_id ?? ''), (row) => row.charges > 0 && row.lines > 0, 30_000);
    await sleep(1_000);
    expect(await billingOf(record?.call_id ?? ''), 'charged and invoiced once').to.deep.equal({ ...billing, charges: 1, lines: 1 });
    expect(await callRecordsOf(alice.id)).to.have.length(1);
  });

  it("given a click-to-call ringing the caller's phone, when the controller is SIGKILLed and restarted, then the caller's answer still leads to the callee, and the call is recorded once", async function () {
    this.timeout(120_000);
    const app = await startApp();
    const [alice, bob] = await Promise.all([createUser('killc2c'), createUser('killc2cb')]);
    const aliceDevice = device(alice);
    const bobDevice = device(bob);
    await register(aliceDevice);
    await register(bobDevice);
    // alice answers 10 s after her phone starts ringing: after the restart.
    const alicePhone = await answerOn(aliceDevice, { kind: 'answer', ringMs: 10_000 });
    const bobPhone = await answerOn(bobDevice, { kind: 'answer', ringMs: 300, hangupAfterMs: 1_500 });
    const startedCall = await api('POST', '/v1/calls', { from: alice.id, to: bob.username });
    expect(startedCall.status, JSON.stringify(startedCall.body)).to.equal(201);
    const callId = String(startedCall.body.id);
    await sleep(1_000);
    await app.stop('SIGKILL');
    await startApp();

    const [aliceResult, bobResult] = await Promise.all([alicePhone.done, bobPhone.done]);
    expect(bobResult.trace, 'bob is rung, showing alice').to.include(alice.phoneNumber);
    expect(aliceResult.received.some((line) => line.startsWith('BYE ')), 'alice hung up when bob did').to.equal(true);
    const [record] = await eventually(() => callRecordsOf(alice.id), (rows) => rows.length === 1, 30_000);
    expect(record).to.include({ call_id: callId, end_cause: 'completed', callee_username: bob.username });
    expect(record?.talk_ms).to.be.within(1_000, 3_500);
    expect(record?.history.map((change) => change.state)).to.deep.equal(['requested', 'routing', 'ringing', 'answered', 'ended']);
    await sleep(1_000);
    expect(await callRecordsOf(alice.id)).to.have.length(1);
    expect((await billingOf(callId)).charges, 'an on-net call is charged at most once').to.be.at.most(1);
  });

  it("given a click-to-call ringing the caller's phone, when the controller is SIGKILLed and the caller never answers, then the restarted controller ends it at its ring deadline as not answered, recorded once", async function () {
    this.timeout(120_000);
    const app = await startApp();
    const [alice, bob] = await Promise.all([createUser('killc2cn'), createUser('killc2cnb')]);
    const aliceDevice = device(alice);
    await register(aliceDevice);
    await register(device(bob));
    const alicePhone = await answerOn(aliceDevice, { kind: 'ring' });
    const startedAt = Date.now();
    const startedCall = await api('POST', '/v1/calls', { from: alice.id, to: bob.username });
    expect(startedCall.status, JSON.stringify(startedCall.body)).to.equal(201);
    await sleep(1_000);
    await app.stop('SIGKILL');
    await startApp();

    const aliceResult = await alicePhone.done;
    expect(aliceResult.received.some((line) => line.startsWith('CANCEL ')), "alice's phone stops ringing").to.equal(true);
    // The ring timeout (40 s) counts from the start, not from the restart.
    expect(Date.now() - startedAt).to.be.within(38_000, 46_000);
    const [record] = await eventually(() => callRecordsOf(alice.id), (rows) => rows.length === 1, 30_000);
    expect(record).to.include({ call_id: String(startedCall.body.id), end_cause: 'no_answer', end_reason: 'caller_no_answer' });
  });
});
