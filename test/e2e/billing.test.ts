import { randomInt } from 'node:crypto';
import { expect } from 'chai';
import { connect, StringCodec } from 'nats';
import { natsConnectOptions } from '../../app/shared/infra/nats';
import pg from 'pg';
import { api, createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { eventually } from '../support/ari';
import { answerOn, call, device, register, type Device } from '../support/devices';
import { callRecordsOf } from '../support/records';
import { capturePackets } from '../support/rtp-capture';
import { finalCode, type SippResult } from '../support/sipp';
import { testEnv } from '../support/test-env';

interface InvoiceLine {
  callId: string;
  talkSeconds: number;
  billedSeconds: number;
  amountMinor: number;
}

// Time between the caller's 200 OK and the BYE it received, from sipp's message trace.
function answeredToByeMs(result: SippResult): number {
  const stamps: { line: string; at: number }[] = [];
  const pattern = /-{20,} (\d{4}-\d\d-\d\d\s+\d\d:\d\d:\d\d\.\d+)[^\n]*\n[^\n]*message received[^\n]*\n\s*\n?([^\r\n]+)/g;
  for (const match of result.trace.matchAll(pattern)) stamps.push({ at: Date.parse(`${(match[1] ?? '').replace(/\s+/, 'T')}Z`), line: match[2] ?? '' });
  const ok = stamps.find((stamp) => stamp.line.startsWith('SIP/2.0 200'));
  const bye = stamps.find((stamp) => stamp.line.startsWith('BYE '));
  if (!ok || !bye) throw new Error(`no 200 OK or BYE in the trace: ${stamps.map((stamp) => stamp.line).join(' | ')}`);
  return bye.at - ok.at;
}

// Prepaid on-net calls priced at 0.60 USD/min per second (1 cent a second), through the real
// Asterisk, billing, the call records and the invoice pipeline.
describe('e2e: prepaid billing, cut-off and invoices', function () {
  let app: AppProcess;
  let bob: TestUser;
  let bobDevice: Device;
  let planId: string;

  const newPayingUser = async (balance: string): Promise<TestUser> => {
    const user = await createUser('payer');
    expect((await api('PUT', `/v1/users/${user.id}/price-plan`, { planId })).status).to.equal(200);
    if (balance !== '0') expect((await api('POST', `/v1/users/${user.id}/balance`, { amount: balance, currency: 'USD', reference: `e2e-${randomInt(1e9)}` })).status).to.equal(200);
    return user;
  };
  const balanceOf = async (user: TestUser): Promise<{ balanceMinor: number; reservedMinor: number; availableMinor: number }> =>
    (await api('GET', `/v1/users/${user.id}/balance`)).body as never;
  const invoiceLinesOf = async (user: TestUser): Promise<InvoiceLine[]> => {
    const list = (await api('GET', `/v1/users/${user.id}/invoices`)).body as { invoices: { id: string }[] };
    const lines: InvoiceLine[] = [];
    for (const invoice of list.invoices) lines.push(...((await api('GET', `/v1/invoices/${invoice.id}`)).body as { lines: InvoiceLine[] }).lines);
    return lines;
  };

  // The caller hears the warning tone this long before the cut-off.
  const WARNING_SECONDS = 5;

  before(async function () {
    // 10 s slices: parallel calls each hold a slice of the balance, not all of it.
    app = await AppProcess.start({ BILLING_SLICE_SECONDS: '10', BILLING_WARNING_TONE_SECONDS: String(WARNING_SECONDS) });
    const plan = await api('POST', '/v1/price-plans', { name: `e2e-per-second-${Date.now().toString(36)}`, currency: 'USD', onNetRatePerMinute: '0.60', firstIncrementSeconds: 1, nextIncrementSeconds: 1 });
    expect(plan.status).to.equal(201);
    planId = String(plan.body.id);
    bob = await createUser('bob');
    bobDevice = device(bob);
  });

  after(async function () {
    await app?.stop();
  });

  it('given credit for 10 s, when the call goes on, then the caller hears the warning tone 5 s before the controller cuts it off at 10 s (+-1 s), and the balance ends at zero, never below', async function () {
    const caller = await newPayingUser('0.10');
    const callerDevice = device(caller);
    await register(callerDevice);
    await register(bobDevice);
    const callee = await answerOn(bobDevice, { kind: 'answer', ringMs: 100 });
    // The caller sends no audio and the callee only echoes: every RTP packet the caller receives is
    // the tone Asterisk plays to it.
    const capture = await capturePackets([callerDevice.mediaPort], [callerDevice.sipPort]);
    const [result] = await Promise.all([call(callerDevice, bob.username, { hangup: 'callee', holdMs: 30_000, audio: false }).done, callee.done]);
    // What was on the wire until the BYE is in the capture once tshark has had a moment to write it.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const packets = await capture.stop();
    expect(finalCode(result)).to.equal(200);
    const talkedMs = answeredToByeMs(result);
    expect(talkedMs, 'time from 200 OK to the platform\'s BYE').to.be.within(9_000, 11_000);
    const [record] = await eventually(() => callRecordsOf(caller.id), (rows) => rows.length === 1);
    expect(record).to.include({ end_cause: 'terminated', end_reason: 'credit_exhausted' });

    const tone = packets.filter((packet) => packet.dstPort === callerDevice.mediaPort);
    const bye = packets.find((packet) => packet.dstPort === callerDevice.sipPort && packet.sipMethod === 'BYE');
    expect(tone.length, 'RTP packets of the tone to the caller').to.be.within(5, 100);
    expect(bye, 'the BYE to the caller in the capture').to.not.equal(undefined);
    expect((bye?.at ?? 0) - (tone[0]?.at ?? 0), 'from the tone to the cut-off').to.be.within(WARNING_SECONDS * 1000 - 1500, WARNING_SECONDS * 1000 + 1500);
    expect(app.logLines('credit running out: warning tone').map((line) => line.callId), 'ARI was asked to play it once').to.deep.equal([record?.call_id]);
    const balance = await eventually(() => balanceOf(caller), (b) => b.reservedMinor === 0);
    expect(balance.balanceMinor).to.be.at.least(0);
    expect(balance.balanceMinor).to.be.at.most(1);
  });

  it('given no credit, when the caller calls, then the call is refused with 402 before the callee rings', async function () {
    const caller = await newPayingUser('0');
    const callerDevice = device(caller);
    await register(callerDevice);
    await register(bobDevice);
    const callee = await answerOn(bobDevice, { kind: 'answer', ringMs: 100 });
    const result = await call(callerDevice, bob.username).done;
    callee.kill();
    const calleeResult = await callee.done;
    expect(finalCode(result)).to.equal(402);
    expect(calleeResult.received.filter((line) => line.startsWith('INVITE'))).to.have.length(0);
    const [record] = await eventually(() => callRecordsOf(caller.id), (rows) => rows.length === 1);
    expect(record).to.include({ end_cause: 'not_allowed', end_reason: 'no_credit', sip_code: 402 });
  });

  it('given a finished call, then it produces exactly one invoice line with the right amount, even when its ended event is published again', async function () {
    const caller = await newPayingUser('5.00');
    const callerDevice = device(caller);
    await register(callerDevice);
    await register(bobDevice);
    const callee = await answerOn(bobDevice, { kind: 'answer', ringMs: 100 });
    const [result] = await Promise.all([call(callerDevice, bob.username, { holdMs: 3_000, audio: false }).done, callee.done]);
    expect(finalCode(result)).to.equal(200);
    const [record] = await eventually(() => callRecordsOf(caller.id), (rows) => rows.length === 1);
    const [line] = await eventually(() => invoiceLinesOf(caller), (lines) => lines.length === 1);
    // Per second, rounded up: talk time in whole seconds at 1 cent each.
    const seconds = Math.ceil((record?.talk_ms ?? 0) / 1000);
    expect(line).to.include({ callId: record?.call_id, billedSeconds: seconds, amountMinor: seconds });
    expect((await balanceOf(caller)).balanceMinor).to.equal(500 - seconds);

    // The same ended event again, under a new message id so JetStream does not drop it: the
    // invoice consumer must still apply it once.
    const nc = await connect({ ...natsConnectOptions(testEnv.natsUrl) });
    const jsm = await nc.jetstreamManager();
    const stream = await jsm.streams.info('CALL_EVENTS');
    let ended: Uint8Array | undefined;
    for (let seq = stream.state.last_seq; seq > Math.max(0, stream.state.last_seq - 200) && !ended; seq -= 1) {
      const message = await jsm.streams.getMessage('CALL_EVENTS', { seq }).catch(() => undefined);
      const event = message && (JSON.parse(StringCodec().decode(message.data)) as { type: string; callId: string });
      if (event?.type === 'call.v1.ended' && event.callId === record?.call_id) ended = message?.data;
    }
    expect(ended, 'the ended event in the stream').to.not.equal(undefined);
    await nc.jetstream().publish('call.v1.ended', ended, { msgID: `republished-${randomInt(1e9)}` });
    await nc.close();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await invoiceLinesOf(caller)).to.have.length(1);
    expect((await balanceOf(caller)).balanceMinor).to.equal(500 - seconds);
  });

  it('given credit for about 60 s and 6 simultaneous calls, then each call is charged its own talk time at the plan rate, nothing goes unpaid, and the balance never goes negative', async function () {
    this.timeout(180_000);
    const caller = await newPayingUser('0.60');
    const callees = await Promise.all(Array.from({ length: 6 }, () => createUser('callee')));
    const pairs = callees.map((callee) => ({ callee, calleeDevice: device(callee), callerDevice: device(caller) }));
    for (const pair of pairs) {
      await register(pair.calleeDevice);
      await register(pair.callerDevice);
    }
    const results = await Promise.all(
      pairs.map(async (pair) => {
        const answering = await answerOn(pair.calleeDevice, { kind: 'answer', ringMs: 100 });
        const [result] = await Promise.all([call(pair.callerDevice, pair.callee.username, { hangup: 'callee', holdMs: 40_000, audio: false }).done, answering.done]);
        return result;
      }),
    );
    const answered = results.filter((result) => finalCode(result) === 200).length;
    expect(answered, 'calls connected').to.be.greaterThan(0);
    const records = await eventually(() => callRecordsOf(caller.id), (rows) => rows.length === pairs.length, 30_000);
    const talked = records.filter((row) => row.answered_at !== null);
    const lines = await eventually(() => invoiceLinesOf(caller), (all) => all.length === talked.length, 30_000);
    const balance = await eventually(() => balanceOf(caller), (b) => b.reservedMinor === 0, 30_000);
    // The plan's price, worked out here from the call records alone: 0.60/min in increments of 1 s
    // is 1 cent per started second of talk (answer to end), no connect fee.
    const expected = new Map(talked.map((row) => [row.call_id, Math.ceil(((row.ended_at?.getTime() ?? 0) - (row.answered_at?.getTime() ?? 0)) / 1000)]));
    for (const line of lines) expect(line, `the line of call ${line.callId}`).to.include({ billedSeconds: expected.get(line.callId), amountMinor: expected.get(line.callId) });
    expect(lines.map((line) => line.callId)).to.have.members([...expected.keys()]);
    // What the ledger took for each call is its full price: no shortfall anywhere.
    const db = new pg.Client({ connectionString: testEnv.databaseUrl });
    await db.connect();
    const charges = (await db.query('SELECT call_id, amount_minor::int AS amount FROM ledger_entries WHERE kind = $1 AND call_id = ANY($2::uuid[])', ['charge', [...expected.keys()]]).finally(() => db.end())).rows as { call_id: string; amount: number }[];
    const byCall = (pairs: Array<[string, number]>): Array<[string, number]> => [...pairs].sort(([a], [b]) => a.localeCompare(b));
    expect(byCall(charges.map((row) => [row.call_id, row.amount])), 'the charge of each call').to.deep.equal(byCall([...expected].filter(([, cents]) => cents > 0)));
    const total = [...expected.values()].reduce((sum, cents) => sum + cents, 0);
    expect(total, 'the calls never talked past the credit').to.be.at.most(60);
    expect(balance.balanceMinor, 'never negative, and what the calls cost was taken from it').to.equal(60 - total);
  });
});
