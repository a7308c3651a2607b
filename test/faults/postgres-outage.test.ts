import { expect } from 'chai';
import { createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { eventually } from '../support/ari';
import { answerOn, call, device, register, type Device } from '../support/devices';
import { answered, deadLetterIds, endPool, invoicing, newDeadLetters, payingUser, recordsOf, stackService, summaryRow } from '../support/faults';
import { checkInterceptedRecording, interceptedCall, interceptedParties } from '../support/faults-intercept';
import { interceptAppEnv } from '../support/intercept/intercept-client';
import { finalCode, type SippResult } from '../support/sipp';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const OUTAGE_MS = 60_000;
const HOLD_MS = 25_000;

// PostgreSQL stopped for 60 s under live paid and free calls: calls up when it stops keep going
// and end during the outage; new calls during it are refused; once it is back every call that
// ended is recorded, invoiced and charged exactly once, and nothing is left in dead letters.
describe('faults: PostgreSQL stopped 60 s under live calls', function () {
  let app: AppProcess | undefined;
  let stopped = false;

  after(async function () {
    this.timeout(60_000);
    if (stopped) stackService('start', 'postgres');
    await app?.stop();
    await endPool();
  });

  it('given paid and free calls up, when PostgreSQL stops for 60 s, then new calls are refused, the live calls end normally and, once it is back, each is recorded, invoiced and charged exactly once with no dead letter', async function () {
    this.timeout(240_000);
    app = await AppProcess.start({ ...interceptAppEnv(), INTERCEPT_TICK_MS: '300' });
    const pid = app.pid;
    const li = await interceptedParties('pg-li');
    const lettersBefore = await deadLetterIds();
    const payers = await Promise.all([payingUser('pg-pay-a'), payingUser('pg-pay-b'), payingUser('pg-pay-late')]);
    const free = await Promise.all([createUser('pg-free-a'), createUser('pg-free-late')]);
    const callees = await Promise.all([createUser('pg-callee-a'), createUser('pg-callee-b'), createUser('pg-callee-c'), createUser('pg-callee-d')]);
    const dev = new Map<string, Device>([...payers, ...free, ...callees].map((user) => [user.id, device(user)]));
    const deviceOf = (user: TestUser): Device => dev.get(user.id) ?? expect.fail(`no device for ${user.username}`);
    for (const d of dev.values()) await register(d);

    // Three calls up before the fault: two paid, one free (a free plan is the default).
    const [payA, payB, payLate] = payers;
    const [freeA, freeLate] = free;
    const [calleeA, calleeB, calleeC, calleeD] = callees;
    const live = [
      [payA, calleeA],
      [payB, calleeB],
      [freeA, calleeC],
    ] as const;
    const answering = await Promise.all(live.map(([, callee]) => answerOn(deviceOf(callee), { kind: 'answer', ringMs: 100 })));
    const calls = live.map(([caller, callee]) => call(deviceOf(caller), callee.username, { holdMs: HOLD_MS }));
    // The intercepted call, up through the outage like the others.
    await sleep(Math.max(0, li.activatedAt + 6_000 - Date.now()));
    const liCall = interceptedCall(li, HOLD_MS);
    for (const [caller] of live) await eventually(() => answered(caller), (up) => up, 15_000);
    await eventually(() => answered(li.target), (up) => up, 15_000);

    stackService('stop', 'postgres');
    stopped = true;
    const stoppedAt = Date.now();

    // New calls during the outage, paid and free: refused, each within a few seconds.
    await sleep(3_000);
    const refused: Array<{ who: string; kind: string; result: SippResult; ms: number }> = [];
    for (const [caller, callee, kind] of [[payLate, calleeD, 'paid'], [freeLate, calleeD, 'free']] as const) {
      const started = Date.now();
      const result = await call(deviceOf(caller), callee.username, { holdMs: 1_000, audio: false }).done;
      refused.push({ who: caller.username, kind, result, ms: Date.now() - started });
    }
    // The switch authenticates the callers from its sorcery memory cache (asterisk/conf/sorcery.conf:
    // before it, PJSIP realtime could not identify an endpoint without its database and answered
    // 401 to every call); the controller refuses them with 503: it cannot read the callee's devices
    // nor the caller's limits and credit, and fails closed (test/faults/emergency-outage.test.ts:
    // an emergency call goes through). Nothing is reserved.
    for (const { who, result } of refused) {
      expect(finalCode(result), `${who}: ${result.received.join(' | ')}`).to.equal(503);
      expect(result.received.some((line) => line.startsWith('SIP/2.0 200')), `${who} connected during the outage`).to.equal(false);
    }

    // The live calls end by themselves during the outage (the callers hang up after HOLD_MS).
    const results = await Promise.all(calls.map((c) => c.done));
    for (const result of results) expect(result.exitCode, result.errors).to.equal(0);
    await Promise.all(answering.map((a) => a.done));
    await liCall;
    expect(Date.now() - stoppedAt, 'the calls ended while PostgreSQL was down').to.be.lessThan(OUTAGE_MS);
    await sleep(Math.max(0, stoppedAt + OUTAGE_MS - Date.now()));
    stackService('start', 'postgres');
    stopped = false;

    // Every call that ended during the outage: one record, and for paid calls one invoice line and one charge.
    for (const [caller] of live) {
      const [record] = await eventually(() => recordsOf(caller), (rows) => rows.length === 1, 60_000);
      expect(record, caller.username).to.include({ end_cause: 'completed' });
      expect(record?.talk_ms, `${caller.username} talk time`).to.be.within(HOLD_MS - 3_000, HOLD_MS + 3_000);
    }
    for (const caller of [payA, payB]) {
      const [record] = await recordsOf(caller);
      expect(await eventually(() => invoicing(record?.call_id ?? ''), (row) => row.lines > 0 && row.charges > 0, 60_000), caller.username).to.deep.equal({ lines: 1, charges: 1 });
    }
    // Settled once: nothing more arrives after a while, nothing waits in dead letters.
    await sleep(3_000);
    let duplicated = 0;
    for (const [caller] of live) duplicated += Math.max(0, (await recordsOf(caller)).length - 1);
    for (const caller of [payA, payB]) {
      const [record] = await recordsOf(caller);
      const { lines, charges } = await invoicing(record?.call_id ?? '');
      duplicated += Math.max(0, lines - 1) + Math.max(0, charges - 1);
    }
    expect(duplicated, 'records, lines or charges written twice').to.equal(0);
    const recorded = await checkInterceptedRecording(li, { timeoutMs: 60_000, toleranceS: 1.5 });
    expect(await newDeadLetters(lettersBefore), 'dead letters written during the test').to.deep.equal([]);
    expect(app.pid, 'the same controller process').to.equal(pid);
    const codes = refused.map(({ kind, result }) => `${kind} ${finalCode(result) ?? 'none'}`).join(', ');
    const longest = Math.max(...refused.map(({ ms }) => ms));
    summaryRow(`postgresql stopped 60 s | ${live.length + 1 + refused.length} (${live.length} up and ending, ${refused.length} refused: ${codes}; 1 intercepted, recorded ${recorded.seconds.toFixed(1)} s of ${recorded.talkSeconds.toFixed(1)} s) | 0 | ${duplicated} | ${longest} ms (refusal, sipp run included)`);
  });
});
