import { expect } from 'chai';
import { createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { eventually } from '../support/ari';
import { answerOn, call, device, register, type Device } from '../support/devices';
import { answered, deadLetterIds, endPool, invoicing, newDeadLetters, payingUser, recordsOf, stackService, summaryRow } from '../support/faults';
import { checkInterceptedRecording, interceptedParties, startInterceptedCall } from '../support/faults-intercept';
import { interceptAppEnv } from '../support/intercept/intercept-client';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// Asterisk restarted under live calls: the calls it cuts are closed in the records at the moment
// of the restart (not when the controller notices), the controller reconnects to ARI within 5 s of
// Asterisk being back, and calls after it connect.
describe('faults: Asterisk restarted under live calls', function () {
  let app: AppProcess | undefined;

  after(async function () {
    this.timeout(60_000);
    await app?.stop();
    await endPool();
  });

  it('given a paid and a free call up, when Asterisk restarts, then both are recorded as ended at the restart and the paid one charged once, the controller reconnects within 5 s and a new call connects', async function () {
    this.timeout(240_000);
    app = await AppProcess.start({ ...interceptAppEnv(), INTERCEPT_TICK_MS: '300' });
    const pid = app.pid;
    const li = await interceptedParties('ast-li');
    const lettersBefore = await deadLetterIds();
    const [payer, freeCaller, calleeA, calleeB, after] = await Promise.all([payingUser('ast-pay'), createUser('ast-free'), createUser('ast-callee-a'), createUser('ast-callee-b'), createUser('ast-after')]);
    const users = [payer, freeCaller, calleeA, calleeB, after] as TestUser[];
    const dev = new Map<string, Device>(users.map((user) => [user.id, device(user)]));
    const deviceOf = (user: TestUser): Device => dev.get(user.id) ?? expect.fail(`no device for ${user.username}`);
    for (const d of dev.values()) await register(d);

    const cut = [[payer, calleeA], [freeCaller, calleeB]] as const;
    const answering = await Promise.all(cut.map(([, callee]) => answerOn(deviceOf(callee), { kind: 'answer', ringMs: 100 })));
    // Held far longer than the test: only the restart ends them.
    const calls = cut.map(([caller, callee]) => call(deviceOf(caller), callee.username, { holdMs: 120_000 }));
    // The intercepted call, cut by the restart too (tapped at its answer by the call path and
    // the consumer both: one adopts the other's tap).
    await sleep(Math.max(0, li.activatedAt + 6_000 - Date.now()));
    const liCall = await startInterceptedCall(li, 120_000);
    for (const [caller] of cut) await eventually(() => answered(caller), (up) => up, 15_000);
    await eventually(() => answered(li.target), (up) => up, 15_000);
    await sleep(3_000);

    const restartAt = Date.now();
    stackService('stop', 'asterisk');
    const stoppedAt = Date.now();
    stackService('start', 'asterisk');
    const upAt = Date.now();
    const reconnected = await eventually(
      () => Promise.resolve(app?.logLines('switch connected').some((line) => line.reconnected === true) ?? false),
      (seen) => seen,
      15_000,
    );
    const reconnectMs = Date.now() - upAt;
    expect(reconnected).to.equal(true);
    expect(reconnectMs, 'controller reconnected within 5 s of Asterisk being back').to.be.lessThan(5_000);
    for (const c of calls) c.kill('SIGTERM');
    for (const a of answering) a.kill('SIGTERM');
    liCall.caller.kill('SIGTERM');
    liCall.peer.kill('SIGTERM');

    // The cut calls: closed once, at the restart (within the stop's own duration plus a second).
    for (const [caller] of cut) {
      const [record] = await eventually(() => recordsOf(caller), (rows) => rows.length === 1, 60_000);
      const endedAt = record?.ended_at?.getTime() ?? 0;
      expect(endedAt, `${caller.username} ended at the restart`).to.be.within(restartAt - 1_000, stoppedAt + 1_000);
    }
    const [paid] = await recordsOf(payer);
    expect(await eventually(() => invoicing(paid?.call_id ?? ''), (row) => row.lines > 0 && row.charges > 0, 60_000)).to.deep.equal({ lines: 1, charges: 1 });

    // Devices register again with the restarted Asterisk (their contacts are in PostgreSQL, but
    // a restart prunes them), then a new call connects.
    for (const user of [after, calleeA]) await register(deviceOf(user));
    const afterAnswers = await answerOn(deviceOf(calleeA), { kind: 'answer', ringMs: 100 });
    const started = Date.now();
    const afterCall = await call(deviceOf(after), calleeA.username, { holdMs: 2_000 }).done;
    const answerMs = Date.now() - started - 2_000;
    expect(afterCall.exitCode, afterCall.errors).to.equal(0);
    await afterAnswers.done;
    await eventually(() => recordsOf(after), (rows) => rows.length === 1 && rows[0]?.end_cause === 'completed', 30_000);

    await sleep(2_000);
    let duplicated = 0;
    for (const [caller] of cut) duplicated += Math.max(0, (await recordsOf(caller)).length - 1);
    const { lines, charges } = await invoicing(paid?.call_id ?? '');
    duplicated += Math.max(0, lines - 1) + Math.max(0, charges - 1);
    expect(duplicated).to.equal(0);
    // Its recording, up to the restart.
    const recorded = await checkInterceptedRecording(li, { timeoutMs: 60_000, toleranceS: 1.5 });
    expect(await newDeadLetters(lettersBefore), 'dead letters written during the test').to.deep.equal([]);
    expect(app.pid, 'the same controller process').to.equal(pid);
    summaryRow(`asterisk restarted (stop ${stoppedAt - restartAt} ms, start ${upAt - stoppedAt} ms) | ${cut.length + 2} (${cut.length} cut and closed at the restart, 1 intercepted cut: recorded ${recorded.seconds.toFixed(1)} s of ${recorded.talkSeconds.toFixed(1)} s, 1 after) | 0 | ${duplicated} | reconnect ${reconnectMs} ms; call after ${answerMs} ms (sipp run minus talk time)`);
  });
});
