import { expect } from 'chai';
import pg from 'pg';
import { createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { eventually } from '../support/ari';
import { call, device, register } from '../support/devices';
import { carrierAnswers, createCarrier, importCarrierRates, payingUser, removeAllCarriers, type TestCarrier } from '../support/pstn';
import { callRecordsOf } from '../support/records';
import { finalCode, type SippResult } from '../support/sipp';
import { answerToByeMs } from '../support/sipp-timing';
import { testEnv } from '../support/test-env';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// The switch enforces the talk time billing granted, and the talk time billed is what the switch
// saw, even when the controller is frozen (SIGSTOP) or killed (SIGKILL) during a paid PSTN call.
describe('e2e: the switch ends a paid call at its granted credit without the controller', function () {
  let db: pg.Client;
  let carrier: TestCarrier;
  const started: AppProcess[] = [];
  // 10 s slices and a tone 5 s before the cut-off, as in e2e/billing.test.ts.
  const startApp = async (): Promise<AppProcess> => {
    const app = await AppProcess.start({ BILLING_SLICE_SECONDS: '10', BILLING_WARNING_TONE_SECONDS: '5', ROUTING_STRATEGY: 'least-cost', ROUTING_EXPLORATION_RATE: '0', ROUTING_REFRESH_MS: '200' });
    started.push(app);
    return app;
  };

  before(async function () {
    db = new pg.Client({ connectionString: testEnv.databaseUrl });
    await db.connect();
    const app = await startApp();
    await removeAllCarriers();
    carrier = await createCarrier(`grant-${Date.now().toString(36)}`);
    await importCarrierRates(carrier, ['44,0.01']);
    await app.stop();
  });

  afterEach(async function () {
    // A frozen controller cannot stop until it runs again.
    for (const app of started.splice(0)) {
      app.signal('SIGCONT');
      await app.stop();
    }
  });

  after(async function () {
    await db?.end();
  });

  // A caller with 10 s of credit to the UK (0.60 USD a minute, per second: 0.10 USD).
  const tenSecondCaller = async (): Promise<TestUser> => {
    const caller = await createUser('grant');
    await payingUser(caller.id, ['44,0.60,,1,1,,'], '0.10');
    await register(device(caller));
    return caller;
  };

  const liveCallState = async (caller: TestUser): Promise<string | undefined> => {
    const res = await fetch(`${testEnv.adminUrl}/v1/calls?user=${caller.id}`, { headers: { authorization: `Bearer ${testEnv.adminToken}` } });
    return ((await res.json()) as { calls: { state: string }[] }).calls[0]?.state;
  };

  // Ledger charges and statement lines of a call: billed once is one of each.
  const billingOf = async (callId: string): Promise<{ charges: number; lines: number; talkSeconds: number | null }> =>
    (
      await db.query(
        `SELECT (SELECT count(*)::int FROM ledger_entries WHERE call_id = $1 AND kind = 'charge') AS charges,
                (SELECT count(*)::int FROM invoice_lines WHERE call_id = $1) AS lines,
                (SELECT max(talk_seconds)::int FROM invoice_lines WHERE call_id = $1) AS "talkSeconds"`,
        [callId],
      )
    ).rows[0] as never;

  // alice calls a UK number; the carrier answers at once and keeps the call until it gets a BYE.
  // Resolves once the call is answered, with when that was.
  const paidCall = async (caller: TestUser): Promise<{ callerDone: Promise<SippResult>; carrierDone: Promise<SippResult>; answeredAt: number }> => {
    const carrierRun = await carrierAnswers(carrier, { kind: 'answer', ringMs: 100 });
    const callerRun = call(device(caller), '+442071838750', { hangup: 'callee', holdMs: 60_000, audio: false });
    await eventually(() => liveCallState(caller), (state) => state === 'answered');
    return { callerDone: callerRun.done, carrierDone: carrierRun.done, answeredAt: Date.now() };
  };

  it('given a paid PSTN call with 10 s of credit, when the controller is frozen (SIGSTOP) from second 2 to second 30, then the switch ends the call at 10 s (+-1 s) and the resumed controller bills its real talk time once', async function () {
    this.timeout(120_000);
    const app = await startApp();
    const caller = await tenSecondCaller();
    const { callerDone, carrierDone, answeredAt } = await paidCall(caller);
    await sleep(answeredAt + 2_000 - Date.now());
    app.signal('SIGSTOP');
    // Both sides get their BYE from the switch while the controller is frozen.
    const endedWhileFrozen = await Promise.race([Promise.all([callerDone, carrierDone]), sleep(answeredAt + 30_000 - Date.now()).then(() => undefined)]);
    await sleep(answeredAt + 30_000 - Date.now());
    app.signal('SIGCONT');
    expect(endedWhileFrozen, 'the call ended while the controller was frozen').to.not.equal(undefined);
    const [callerResult, carrierResult] = endedWhileFrozen ?? [];
    if (!callerResult || !carrierResult) return;
    expect(finalCode(callerResult)).to.equal(200);
    expect(answerToByeMs(callerResult, 'received'), "caller's 200 OK to the switch's BYE").to.be.within(9_000, 11_000);
    const calleeTalkMs = answerToByeMs(carrierResult, 'sent');
    expect(calleeTalkMs, "carrier's 200 OK to the switch's BYE").to.be.within(9_000, 11_000);

    const [record] = await eventually(() => callRecordsOf(caller.id), (rows) => rows.length === 1, 30_000);
    expect(record?.talk_ms, 'talk time billed: what the switch saw, not the 30 s the controller was away').to.be.within(calleeTalkMs - 1_000, calleeTalkMs + 1_000);
    const billing = await eventually(() => billingOf(record?.call_id ?? ''), (row) => row.lines > 0 && row.charges > 0, 30_000);
    await sleep(1_000);
    expect(await billingOf(record?.call_id ?? ''), 'charged and invoiced once').to.deep.equal({ ...billing, charges: 1, lines: 1 });
    expect(billing.talkSeconds).to.be.within(9, 10);
    expect(await callRecordsOf(caller.id)).to.have.length(1);
  });

  it('given a paid PSTN call with 10 s of credit, when the controller is killed (SIGKILL) at second 2 and restarted after the call ended, then the switch ended it at 10 s (+-1 s), and its record has the talk time the callee measured (+-1 s), billed once', async function () {
    this.timeout(120_000);
    const app = await startApp();
    const caller = await tenSecondCaller();
    const { callerDone, carrierDone, answeredAt } = await paidCall(caller);
    await sleep(answeredAt + 2_000 - Date.now());
    await app.stop('SIGKILL');
    const [callerResult, carrierResult] = await Promise.all([callerDone, carrierDone]);
    expect(Date.now() - answeredAt, 'the call ended without any controller').to.be.below(15_000);
    expect(answerToByeMs(callerResult, 'received'), "caller's 200 OK to the switch's BYE").to.be.within(9_000, 11_000);
    const calleeTalkMs = answerToByeMs(carrierResult, 'sent');
    expect(calleeTalkMs, "carrier's 200 OK to the switch's BYE").to.be.within(9_000, 11_000);

    await startApp();
    const [record] = await eventually(() => callRecordsOf(caller.id), (rows) => rows.length === 1, 30_000);
    expect(record?.talk_ms, 'talk time: what the switch saw, not up to the last heartbeat (2 s)').to.be.within(calleeTalkMs - 1_000, calleeTalkMs + 1_000);
    const billing = await eventually(() => billingOf(record?.call_id ?? ''), (row) => row.lines > 0 && row.charges > 0, 30_000);
    await sleep(1_000);
    expect(await billingOf(record?.call_id ?? ''), 'charged and invoiced once').to.deep.equal({ ...billing, charges: 1, lines: 1 });
    expect(billing.talkSeconds).to.be.within(9, 10);
    expect(await callRecordsOf(caller.id)).to.have.length(1);
  });
});
