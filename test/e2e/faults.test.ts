import { expect } from 'chai';
import { createClient } from 'redis';
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { channelsOf, eventually } from '../support/ari';
import { answerOn, call, device, register } from '../support/devices';
import { captureUdp, packetsTo } from '../support/rtp-capture';
import { statusCodes } from '../support/sipp';
import { TcpProxy } from '../support/tcp-proxy';
import { PROJECT_ROOT, testEnv } from '../support/test-env';

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

  const liveCallsOf = async (user: TestUser): Promise<{ id: string; state: string }[]> => {
    const res = await fetch(`${testEnv.adminUrl}/v1/calls?user=${user.id}`, { headers: { authorization: `Bearer ${testEnv.adminToken}` } });
    return ((await res.json()) as { calls: { id: string; state: string }[] }).calls;
  };

  it('given answered calls, when the controller is SIGKILLed, then media keeps flowing, the restarted controller adopts and ends them, strays are hung up, and each call has exactly one record', async function () {
    this.timeout(120_000);
    let app = await startApp();
    const [alice, bob, carol, dave] = await Promise.all([createUser('alice'), createUser('bob'), createUser('carol'), createUser('dave')]);
    const aliceDevice = device(alice);
    const bobDevice = device(bob);
    const carolDevice = device(carol);
    const daveDevice = device(dave);
    for (const dev of [aliceDevice, bobDevice, carolDevice, daveDevice]) await register(dev);

    // Two calls that survive: alice -> bob, and carol -> dave whose state we will lose on purpose.
    const bobAnswers = await answerOn(bobDevice, { kind: 'answer', ringMs: 100 });
    const daveAnswers = await answerOn(daveDevice, { kind: 'answer', ringMs: 100 });
    const aliceCalls = call(aliceDevice, bob.username, { holdMs: 14_000 });
    const carolCalls = call(carolDevice, dave.username, { holdMs: 30_000 });
    await eventually(() => liveCallsOf(alice), (calls) => calls[0]?.state === 'answered');
    const [lostCall] = await eventually(() => liveCallsOf(carol), (calls) => calls[0]?.state === 'answered');

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
    await eventually(async () => [...(await channelsOf(alice.username)), ...(await channelsOf(carol.username)), ...(await channelsOf(dave.username))], (c) => c.length === 0);
    await app.stop();
  });

  it('given calls starting and ending while nats-server restarts, then every call has exactly one record and all its events once', async function () {
    this.timeout(120_000);
    const app = await startApp();
    const [alice, bob] = await Promise.all([createUser('alice'), createUser('bob')]);
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
    // The call-records consumer applied each ended event once (one row per call, unique event id)
    // and nothing was dead-lettered.
    const counts = (await db.query('SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS d FROM call_records WHERE caller_user_id = $1', [alice.id])).rows[0] as { n: number; d: number };
    expect(counts).to.deep.equal({ n: calls, d: calls });
    const stream = await streamCounts(records.map((record) => record.call_id));
    expect(stream.perCall).to.deep.equal(records.map(() => 5));
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

// How many call.v1.* events the CALL_EVENTS stream holds for each call.
async function streamCounts(callIds: string[]): Promise<{ perCall: number[] }> {
  const { connect, StringCodec } = await import('nats');
  const nc = await connect({ servers: testEnv.natsUrl });
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
