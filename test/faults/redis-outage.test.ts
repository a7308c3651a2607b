import { randomInt } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { expect } from 'chai';
import pg from 'pg';
import { api, createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { eventually } from '../support/ari';
import { answerOn, call, device, register } from '../support/devices';
import { captureUdp, packetsTo } from '../support/rtp-capture';
import { checkInterceptedRecording, interceptedCall, interceptedParties } from '../support/faults-intercept';
import { interceptAppEnv } from '../support/intercept/intercept-client';
import { finalCode } from '../support/sipp';
import { TcpProxy } from '../support/tcp-proxy';
import { testEnv } from '../support/test-env';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// Redis unreachable from a running controller (its connection goes through a TCP proxy the test
// cuts), under a live paid call: new calls are refused at once, the live call keeps its media and
// is settled exactly once when Redis is back, and the controller never restarts.
describe('faults: Redis down under live calls', function () {
  let db: pg.Client;
  let proxy: TcpProxy;
  let app: AppProcess | undefined;

  before(async function () {
    db = new pg.Client({ connectionString: testEnv.databaseUrl });
    await db.connect();
    const redis = new URL(testEnv.redisUrl);
    proxy = new TcpProxy(redis.hostname, Number(redis.port));
    await proxy.start();
  });

  // fault, calls during it, lost, duplicated, longest answer time: the suite's summary.
  const summary: string[] = [];

  after(async function () {
    // scripts/test.sh prints the file after the suite, as its last lines; run alone, it is printed here.
    const file = process.env.FAULTS_SUMMARY_FILE;
    if (file) appendFileSync(file, summary.map((row) => `${row}\n`).join(''));
    else if (summary.length > 0) process.stdout.write(`\n${summary.join('\n')}\n`);
    await app?.stop();
    await proxy?.stop();
    await db?.end();
  });

  const payingUser = async (prefix: string): Promise<TestUser> => {
    const plan = await api('POST', '/v1/price-plans', { name: `redis-outage-${Date.now().toString(36)}-${randomInt(1e6)}`, currency: 'USD', onNetRatePerMinute: '0.60', firstIncrementSeconds: 1, nextIncrementSeconds: 1 });
    expect(plan.status, JSON.stringify(plan.body)).to.equal(201);
    const user = await createUser(prefix);
    expect((await api('PUT', `/v1/users/${user.id}/price-plan`, { planId: plan.body.id })).status).to.equal(200);
    expect((await api('POST', `/v1/users/${user.id}/balance`, { amount: '5.00', currency: 'USD', reference: `redis-outage-${randomInt(1e9)}` })).status).to.equal(200);
    return user;
  };
  const recordsOf = async (caller: TestUser): Promise<Array<{ call_id: string; end_cause: string; sip_code: number | null; talk_ms: number }>> =>
    (await db.query('SELECT call_id, end_cause, sip_code, talk_ms FROM call_records WHERE caller_user_id = $1 ORDER BY requested_at', [caller.id])).rows as never;
  const invoicing = async (callId: string): Promise<{ lines: number; charges: number }> =>
    (
      await db.query(
        `SELECT (SELECT count(*)::int FROM invoice_lines WHERE call_id = $1) AS lines,
                (SELECT count(*)::int FROM ledger_entries WHERE call_id = $1 AND kind = 'charge') AS charges`,
        [callId],
      )
    ).rows[0] as never;

  it('given a paid call up, when Redis becomes unreachable for 10 s, then a new call gets 503 within a second, the live call keeps its media and ends during the outage, and once Redis is back it is recorded, invoiced and charged exactly once, with no controller restart', async function () {
    this.timeout(120_000);
    app = await AppProcess.start({ REDIS_URL: testEnv.redisUrlVia(proxy.port), ...interceptAppEnv(), INTERCEPT_TICK_MS: '300' });
    const pid = app.pid;
    const li = await interceptedParties('redis-li');
    const [alice, bob, carol, dave] = await Promise.all([payingUser('alice'), createUser('bob'), createUser('carol'), createUser('dave')]);
    const devices = [alice, bob, carol, dave].map(device);
    const [aliceDevice, bobDevice, carolDevice, daveDevice] = devices;
    if (!aliceDevice || !bobDevice || !carolDevice || !daveDevice) expect.fail('no devices');
    for (const dev of devices) await register(dev);

    // The intercepted call, up through the outage and ending during it.
    await sleep(Math.max(0, li.activatedAt + 6_000 - Date.now()));
    const liCall = interceptedCall(li, 8_000);
    const bobAnswers = await answerOn(bobDevice, { kind: 'answer', ringMs: 100 });
    const aliceCalls = call(aliceDevice, bob.username, { holdMs: 8_000 });
    await eventually(async () => (await api('GET', `/v1/calls?user=${alice.id}`)).body, (body) => (body.calls as Array<{ state: string }> | undefined)?.[0]?.state === 'answered');

    proxy.cut();
    const cutAt = Date.now();
    const capture = await captureUdp([aliceDevice.mediaPort, bobDevice.mediaPort]);
    const started = Date.now();
    const refused = await call(carolDevice, dave.username, { holdMs: 1_000, audio: false }).done;
    const answerMs = Date.now() - started;
    expect(finalCode(refused), refused.errors).to.equal(503);
    // The sipp run includes its own start and the digest challenge's round trip.
    expect(answerMs, 'INVITE answered within a second (plus sipp start-up)').to.be.lessThan(1_500);
    await sleep(1_500);
    const media = await capture.stop();
    expect(packetsTo(media, bobDevice.mediaPort), 'RTP to bob while Redis is down').to.be.greaterThan(20);
    expect(packetsTo(media, aliceDevice.mediaPort), 'RTP to alice while Redis is down').to.be.greaterThan(20);

    // alice hangs up while Redis is still down; Redis comes back 10 s after the cut.
    const aliceResult = await aliceCalls.done;
    expect(aliceResult.exitCode, aliceResult.errors).to.equal(0);
    await liCall;
    expect((await bobAnswers.done).received.some((line) => line.startsWith('BYE ')), 'bob hung up at once by the controller').to.equal(true);
    await sleep(Math.max(0, cutAt + 10_000 - Date.now()));
    proxy.restore();

    const [record] = await eventually(() => recordsOf(alice), (rows) => rows.length === 1, 30_000);
    expect(record).to.include({ end_cause: 'completed' });
    expect(record?.talk_ms).to.be.within(6_000, 10_000);
    expect(await eventually(() => invoicing(record?.call_id ?? ''), (row) => row.lines > 0 && row.charges > 0, 30_000)).to.deep.equal({ lines: 1, charges: 1 });
    const [refusedRecord] = await eventually(() => recordsOf(carol), (rows) => rows.length === 1, 30_000);
    expect(refusedRecord).to.include({ end_cause: 'failed', sip_code: 503 });
    await sleep(2_000);
    expect(await recordsOf(alice)).to.have.length(1);
    expect(await invoicing(record?.call_id ?? '')).to.deep.equal({ lines: 1, charges: 1 });
    const recorded = await checkInterceptedRecording(li, { timeoutMs: 60_000, toleranceS: 1.5 });
    expect(app.pid, 'the same controller process').to.equal(pid);
    // Three calls lived through the outage (alice's and the intercepted one, up; carol's, refused).
    summary.push(`redis unreachable 10 s | 3 (1 paid up, 1 intercepted up: recorded ${recorded.seconds.toFixed(1)} s of ${recorded.talkSeconds.toFixed(1)} s, 1 refused) | 0 | 0 | ${answerMs} ms (503, sipp run included)`);
    expect(app.output.some((line) => line.includes('shutting down') || line.includes('unhandled promise rejection')), 'no shutdown, no unhandled rejection').to.equal(false);
  });
});
