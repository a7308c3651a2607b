import { expect } from 'chai';
import pg from 'pg';
import { createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { eventually } from '../support/ari';
import { answerOn, call, device, register } from '../support/devices';
import { answerToByeMs } from '../support/sipp-timing';
import { TcpProxy } from '../support/tcp-proxy';
import { testEnv } from '../support/test-env';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface CallRecordRow {
  end_cause: string;
  end_reason: string | null;
  talk_ms: number;
  answered_at: Date;
  ended_at: Date;
}

// Calls whose party hangs up while the controller hears no events (killed, or its ARI connection
// cut): the record's talk time is what the switch saw (its own record of the hang-up), not up to
// when the controller came back, nor only up to when it was last known alive.
describe('e2e: talk time of calls that end while the controller is deaf', function () {
  const started: AppProcess[] = [];
  const startApp = async (overrides: Record<string, string> = {}): Promise<AppProcess> => {
    const app = await AppProcess.start(overrides);
    started.push(app);
    return app;
  };
  let db: pg.Client;

  before(async function () {
    db = new pg.Client({ connectionString: testEnv.databaseUrl });
    await db.connect();
  });

  afterEach(async function () {
    await Promise.all(started.splice(0).map((app) => app.stop()));
  });

  after(async function () {
    await db?.end();
  });

  const recordsOf = async (caller: TestUser): Promise<CallRecordRow[]> =>
    (await db.query('SELECT end_cause, end_reason, talk_ms, answered_at, ended_at FROM call_records WHERE caller_user_id = $1', [caller.id])).rows as CallRecordRow[];

  const liveCallsOf = async (user: TestUser): Promise<{ state: string }[]> => {
    const res = await fetch(`${testEnv.adminUrl}/v1/calls?user=${user.id}`, { headers: { authorization: `Bearer ${testEnv.adminToken}` } });
    return ((await res.json()) as { calls: { state: string }[] }).calls;
  };

  async function answeredCall(): Promise<{ alice: TestUser; caller: ReturnType<typeof call>; callee: Awaited<ReturnType<typeof answerOn>> }> {
    const [alice, bob] = await Promise.all([createUser('alice'), createUser('bob')]);
    const aliceDevice = device(alice);
    const bobDevice = device(bob);
    await register(aliceDevice);
    await register(bobDevice);
    const callee = await answerOn(bobDevice, { kind: 'answer', ringMs: 100 });
    // alice hangs up 4 s after the answer.
    const caller = call(aliceDevice, bob.username, { holdMs: 4000, audio: false });
    await eventually(() => liveCallsOf(alice), (calls) => calls[0]?.state === 'answered');
    return { alice, caller, callee };
  }

  it('given an answered call, when the controller is SIGKILLed, the caller hangs up meanwhile and the controller comes back 8 s later, then the talk time stops at the caller\'s hang-up as the switch saw it, not at the kill nor at the restart', async function () {
    this.timeout(120_000);
    const app = await startApp();
    const { alice, caller, callee } = await answeredCall();
    await sleep(2500);
    const killedAt = Date.now();
    await app.stop('SIGKILL');
    const aliceResult = await caller.done;
    expect(aliceResult.exitCode, `alice hung up while the controller was down: ${aliceResult.errors}`).to.equal(0);
    await sleep(Math.max(0, killedAt + 8000 - Date.now()));
    await startApp();

    const bobResult = await callee.done;
    expect(bobResult.received.some((line) => line.startsWith('BYE ')), 'bob hung up by the restarted controller').to.equal(true);
    const [record] = await eventually(() => recordsOf(alice), (rows) => rows.length === 1, 20_000);
    if (!record) expect.fail('no record');
    expect(record).to.include({ end_cause: 'completed', end_reason: 'ended_while_disconnected' });
    // alice talked 4 s: the switch's record of her hang-up says so. Before, the talk time stopped at
    // the last heartbeat before the kill (2.5 s), and before that at the restart (over 10 s).
    const aliceTalkMs = answerToByeMs(aliceResult, 'received', 'sent');
    expect(record.talk_ms).to.be.within(aliceTalkMs - 1000, aliceTalkMs + 1000);
    expect(record.talk_ms, 'more than up to the kill').to.be.above(killedAt - record.answered_at.getTime());
  });

  it('given an answered call, when the ARI connection is cut, the caller hangs up meanwhile and the connection comes back 6 s later, then the talk time stops at the caller\'s hang-up as the switch saw it', async function () {
    this.timeout(90_000);
    const proxy = new TcpProxy('127.0.0.1', Number(testEnv.all.ARI_PORT));
    await proxy.start();
    try {
      const app = await startApp({ ARI_URL: `http://127.0.0.1:${proxy.port}` });
      const { alice, caller, callee } = await answeredCall();
      await sleep(2000);
      const cutAt = Date.now();
      proxy.cut();
      const aliceResult = await caller.done;
      expect(aliceResult.exitCode, aliceResult.errors).to.equal(0);
      await sleep(Math.max(0, cutAt + 6000 - Date.now()));
      proxy.restore();

      const bobResult = await callee.done;
      expect(bobResult.received.some((line) => line.startsWith('BYE ')), 'bob hung up after the reconnection').to.equal(true);
      const [record] = await eventually(() => recordsOf(alice), (rows) => rows.length === 1, 20_000);
      if (!record) expect.fail('no record');
      expect(record).to.include({ end_cause: 'completed', end_reason: 'ended_while_disconnected' });
      // The switch's record of alice's hang-up (4 s), not the cut (2 s) nor the reconnection (8 s).
      const aliceTalkMs = answerToByeMs(aliceResult, 'received', 'sent');
      expect(record.talk_ms).to.be.within(aliceTalkMs - 1000, aliceTalkMs + 1000);
      expect(record.talk_ms, 'more than up to the cut').to.be.above(cutAt - record.answered_at.getTime());
      expect(app.logLines('ari websocket connected').some((line) => line.reconnected === true)).to.equal(true);
    } finally {
      await proxy.stop();
    }
  });
});
