import { expect } from 'chai';
import { api, createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { eventually } from '../support/ari';
import { answerOn, call, device, register, type Device } from '../support/devices';
import { answered, deadLetterIds, endPool, invoicing, newDeadLetters, payingUser, query, recordsOf, settlement, stackService, steadyLoad, summaryRow } from '../support/faults';
import { checkInterceptedRecording, interceptedCall, interceptedParties } from '../support/faults-intercept';
import { interceptAppEnv } from '../support/intercept/intercept-client';
import { finalCode } from '../support/sipp';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const OUTAGE_MS = 30_000;
const LOAD_CALLS = 20;

// The whole NATS down for 30 s (the test stack's single server; its JetStream store survives):
// the call path does not need it (events wait in the Redis outbox), so calls go on; once it is
// back, every call is recorded, invoiced and charged exactly once.
describe('faults: NATS down 30 s under calls', function () {
  let app: AppProcess | undefined;
  let stopped = false;

  after(async function () {
    this.timeout(60_000);
    if (stopped) stackService('start', 'nats');
    await app?.stop();
    await endPool();
  });

  it('given a paid call up, when NATS stops for 30 s, then new paid and free calls still connect, and once it is back every call is recorded, invoiced and charged once (0 lost, 0 duplicates) with no dead letter', async function () {
    this.timeout(240_000);
    app = await AppProcess.start({ ...interceptAppEnv(), INTERCEPT_TICK_MS: '300' });
    const pid = app.pid;
    // The intercepted call placed during the outage: its tap can only come from the call path.
    const li = await interceptedParties('nats-li');
    const lettersBefore = await deadLetterIds();
    // oneCall: credit for one first slice (60 s at 0.60/min), no more; payLoad: $5, which the
    // steady load's 20 slices would outgrow if ended calls held theirs until NATS is back.
    const [payUp, payDuring, payLoad, oneCall] = await Promise.all([payingUser('nats-pay-up'), payingUser('nats-pay-during'), payingUser('nats-pay-load', '5.00'), payingUser('nats-one-call', '0.60')]);
    const [freeDuring, calleeA, calleeB, calleeC, calleeD, calleeLoad] = await Promise.all([
      createUser('nats-free'), createUser('nats-callee-a'), createUser('nats-callee-b'), createUser('nats-callee-c'), createUser('nats-callee-d'), createUser('nats-callee-load'),
    ]);
    const users = [payUp, payDuring, payLoad, oneCall, freeDuring, calleeA, calleeB, calleeC, calleeD, calleeLoad];
    const dev = new Map<string, Device>(users.map((user) => [user.id, device(user)]));
    const deviceOf = (user: TestUser): Device => dev.get(user.id) ?? expect.fail(`no device for ${user.username}`);
    for (const d of dev.values()) await register(d);

    const upAnswers = await answerOn(deviceOf(calleeA), { kind: 'answer', ringMs: 100 });
    const upCall = call(deviceOf(payUp), calleeA.username, { holdMs: 15_000 });
    await eventually(() => answered(payUp), (up) => up, 15_000);

    // A steady paid load through the whole outage: one call a second, 1 s of talk each. Its $5
    // cover 8 first slices at a time: the call path settles each call as it ends, so the 20 calls
    // go through (before, an ended call held its slice until NATS was back: the 10th was refused).
    const load = await steadyLoad(deviceOf(payLoad), deviceOf(calleeLoad), { calls: LOAD_CALLS, rate: 1, holdMs: 1_000 });
    // The call path reads the warrants every 5 s (INTERCEPT_WARRANTS_REFRESH_MS).
    await sleep(Math.max(0, li.activatedAt + 6_000 - Date.now()));
    stackService('stop', 'nats');
    stopped = true;
    const stoppedAt = Date.now();

    // Calls placed during the outage connect and end (2 s of talk each); oneCall's second call is
    // granted because its first one's credit is released at its end, not when NATS returns.
    const during: Array<{ caller: TestUser; ms: number; code: number | undefined }> = [];
    for (const [caller, callee] of [[payDuring, calleeB], [freeDuring, calleeC], [oneCall, calleeD], [oneCall, calleeD]] as const) {
      const answering = await answerOn(deviceOf(callee), { kind: 'answer', ringMs: 100 });
      const started = Date.now();
      const result = await call(deviceOf(caller), callee.username, { holdMs: 2_000 }).done;
      during.push({ caller, ms: Date.now() - started - 2_000, code: result.received.some((line) => line.startsWith('SIP/2.0 200')) ? 200 : finalCode(result) });
      expect(result.exitCode, `${caller.username}: ${result.errors}`).to.equal(0);
      // sipp counts a refused call as done: the answer itself is the check (402 here would be
      // credit still held by the caller's call that had already ended).
      expect(during.at(-1)?.code, `${caller.username}'s call answered`).to.equal(200);
      await answering.done;
    }
    await interceptedCall(li, 4_000);
    expect((await upCall.done).exitCode, 'the call up when NATS stopped ends normally').to.equal(0);
    const loadResult = await load.caller.done;
    expect(loadResult.exitCode, `every call of the steady load completed: ${loadResult.errors}`).to.equal(0);
    // The caller's sipp exits 0 only when all its calls completed; the answering one may still wait.
    load.callee.kill('SIGTERM');
    await upAnswers.done;
    expect(Date.now() - stoppedAt, 'every call ended while NATS was down').to.be.lessThan(OUTAGE_MS);
    await sleep(Math.max(0, stoppedAt + OUTAGE_MS - Date.now()));
    stackService('start', 'nats');
    stopped = false;

    const callers = [payUp, payDuring, freeDuring];
    for (const caller of callers) {
      const [record] = await eventually(() => recordsOf(caller), (rows) => rows.length === 1, 60_000);
      expect(record, caller.username).to.include({ end_cause: 'completed' });
    }
    for (const caller of [payUp, payDuring]) {
      const [record] = await recordsOf(caller);
      expect(await eventually(() => invoicing(record?.call_id ?? ''), (row) => row.lines > 0 && row.charges > 0, 60_000), caller.username).to.deep.equal({ lines: 1, charges: 1 });
    }
    // The user with credit for one call: two calls, each charged once (2 s at 0.60/min: 2 cents).
    const oneCallRecords = await eventually(() => recordsOf(oneCall), (rows) => rows.length === 2, 60_000);
    for (const record of oneCallRecords) {
      expect(await eventually(() => invoicing(record.call_id), (row) => row.lines > 0, 60_000), `${oneCall.username} ${record.call_id}`).to.deep.equal({ lines: 1, charges: 1 });
    }
    await sleep(3_000);
    let duplicated = 0;
    for (const record of oneCallRecords) {
      const { lines, charges } = await invoicing(record.call_id);
      duplicated += Math.max(0, lines - 1) + Math.max(0, charges - 1);
    }
    const [charged] = await query<{ minor: number }>(`SELECT coalesce(sum(amount_minor), 0)::int AS minor FROM ledger_entries WHERE user_id = $1 AND kind = 'charge'`, [oneCall.id]);
    const balance = (await api('GET', `/v1/users/${oneCall.id}/balance`)).body as { balanceMinor: number; reservedMinor: number };
    expect(charged?.minor, 'two calls of 2-3 s at 0.60/min').to.be.within(4, 8);
    expect(balance, 'credit for one call: both charged from it, nothing left reserved').to.deep.include({ balanceMinor: 60 - (charged?.minor ?? 0), reservedMinor: 0 });
    for (const caller of callers) {
      const rows = await recordsOf(caller);
      duplicated += Math.max(0, rows.length - 1);
      const { lines, charges } = await invoicing(rows[0]?.call_id ?? '');
      duplicated += Math.max(0, lines - 1) + Math.max(0, charges - 1);
    }
    const loaded = await eventually(() => settlement(payLoad), (s) => s.records >= LOAD_CALLS && s.lines >= LOAD_CALLS && s.charges >= LOAD_CALLS, 60_000);
    expect(loaded, 'the steady load: each call recorded, invoiced and charged once').to.deep.equal({ records: LOAD_CALLS, distinctCalls: LOAD_CALLS, lines: LOAD_CALLS, charges: LOAD_CALLS, extraLines: 0, extraCharges: 0 });
    expect(duplicated, 'records, lines or charges written twice').to.equal(0);
    // Placed, answered and ended while NATS was down: recorded whole all the same.
    const recorded = await checkInterceptedRecording(li, { timeoutMs: 60_000, toleranceS: 1 });
    expect(await newDeadLetters(lettersBefore), 'dead letters written during the test').to.deep.equal([]);
    expect(app.pid, 'the same controller process').to.equal(pid);
    summaryRow(`nats down 30 s (whole server) | ${callers.length + 3 + LOAD_CALLS} (1 paid up, ${during.length} connected during it, 2 of a user with credit for one: ${during.map((d) => d.code).join(', ')}; a paid load of ${LOAD_CALLS} at 1/s; 1 intercepted, recorded ${recorded.seconds.toFixed(1)} s of ${recorded.talkSeconds.toFixed(1)} s) | 0 | ${duplicated} | ${Math.max(...during.map((d) => d.ms))} ms (sipp run minus talk time)`);
  });
});
