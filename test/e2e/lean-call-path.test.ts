import { randomInt } from 'node:crypto';
import { expect } from 'chai';
import { api, createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { ariGet, eventually } from '../support/ari';
import { answerOn, call, device, register } from '../support/devices';
import { carrierAnswers, createCarrier, importCarrierRates, payingUser, removeAllCarriers, type TestCarrier } from '../support/pstn';
import { callRecordsOf } from '../support/records';
import { finalCode, invites, type SippResult } from '../support/sipp';

const received = (result: SippResult, method: string): number => result.received.filter((line) => line.startsWith(`${method} `)).length;

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

interface AriChannelRow {
  name: string;
  dialplan?: { context: string; app_name?: string };
}

// The lean call path (CALL_PATH=dialplan): the controller decides in its Stasis application, then
// Asterisk's Dial() rings, bridges and enforces the granted talk time.
describe('e2e: the lean call path (CALL_PATH=dialplan)', function () {
  let app: AppProcess;
  let alice: TestUser;
  let bob: TestUser;
  let first: TestCarrier;
  let second: TestCarrier;
  let planId: string;

  before(async function () {
    app = await AppProcess.start({
      CALL_PATH: 'dialplan',
      RING_TIMEOUT_SECONDS: '15',
      CARRIER_PROGRESS_TIMEOUT_SECONDS: '3',
      ROUTING_STRATEGY: 'least-cost',
      ROUTING_EXPLORATION_RATE: '0',
      ROUTING_REFRESH_MS: '200',
    });
    await removeAllCarriers();
    [alice, bob] = await Promise.all([createUser('alice'), createUser('bob')]);
    await payingUser(alice.id, ['44,0.60,,1,1,,']);
    first = await createCarrier(`a-lean-first-${Date.now().toString(36)}`);
    second = await createCarrier(`b-lean-second-${Date.now().toString(36)}`);
    await importCarrierRates(first, ['44,0.01']);
    await importCarrierRates(second, ['44,0.02']);
    const plan = await api('POST', '/v1/price-plans', { name: `e2e-lean-${Date.now().toString(36)}`, currency: 'USD', onNetRatePerMinute: '0.60', firstIncrementSeconds: 1, nextIncrementSeconds: 1 });
    expect(plan.status).to.equal(201);
    planId = String(plan.body.id);
    // The app takes new carriers in at its next refresh.
    await new Promise((resolve) => setTimeout(resolve, 500));
  });

  after(async function () {
    await app?.stop();
  });

  it('given bob has two devices, when the laptop answers first, then Dial() bridges it, the phone gets CANCEL, and the call is recorded and billed as answered', async function () {
    const [aliceDevice, bobPhone, bobLaptop] = [device(alice), device(bob), device(bob)];
    await Promise.all([register(aliceDevice), register(bobPhone), register(bobLaptop)]);
    const phone = await answerOn(bobPhone, { kind: 'answer', ringMs: 4000 });
    const laptop = await answerOn(bobLaptop, { kind: 'answer', ringMs: 500 });
    const caller = call(aliceDevice, bob.username, { holdMs: 2500 });
    // While the call is up, alice's channel is in the dialplan's Dial(), not in the Stasis application.
    const during = await eventually(
      () => ariGet<AriChannelRow[]>('/channels'),
      (channels) => channels.some((channel) => channel.name.startsWith(`PJSIP/${alice.username}-`) && channel.dialplan?.app_name === 'Dial'),
    );
    expect(during.find((channel) => channel.name.startsWith(`PJSIP/${alice.username}-`))?.dialplan?.context).to.equal('dial-plan');
    const [callerResult, phoneResult, laptopResult] = await Promise.all([caller.done, phone.done, laptop.done]);
    expect(finalCode(callerResult)).to.equal(200);
    expect(received(laptopResult, 'BYE'), 'the laptop got the BYE').to.be.greaterThan(0);
    expect(received(phoneResult, 'CANCEL'), 'the phone was cancelled').to.equal(1);
    expect(phoneResult.sent).to.include('SIP/2.0 487 Request Terminated');
    const [record] = await eventually(() => callRecordsOf(alice.id), (rows) => rows.some((row) => row.callee_username === bob.username));
    expect(record).to.include({ end_cause: 'completed', callee_username: bob.username });
    expect(record?.talk_ms).to.be.within(1500, 5000);
    expect(record?.history.map((change) => change.state)).to.deep.equal(['requested', 'routing', 'ringing', 'answered', 'ended']);
    expect(app.logLines('callee devices handed to the switch')).to.have.length.greaterThan(0);
  });

  it('given the first carrier answers 503, then the caller goes back to the application, the second carrier is tried and connects the call', async function () {
    const aliceDevice = device(alice);
    await register(aliceDevice);
    const failing = await carrierAnswers(first, { kind: 'reject', ringMs: 50, code: 503 });
    const working = await carrierAnswers(second, { kind: 'answer', ringMs: 200 });
    const [callerResult, failingResult, workingResult] = await Promise.all([call(aliceDevice, '+442071838759', { holdMs: 1000 }).done, failing.done, working.done]);
    expect(finalCode(callerResult)).to.equal(200);
    expect(invites(failingResult)).to.equal(1);
    expect(invites(workingResult)).to.equal(1);
    const outbound = (rows: Awaited<ReturnType<typeof callRecordsOf>>): typeof rows => rows.filter((row) => row.direction === 'outbound');
    const records = await eventually(() => callRecordsOf(alice.id), (rows) => outbound(rows).length > 0);
    const record = outbound(records)[0];
    expect(record).to.include({ end_cause: 'completed', direction: 'outbound', carrier_id: second.id });
    expect(record?.attempts.map((attempt) => [attempt.carrierId, attempt.outcome, attempt.sipCode])).to.deep.equal([
      [first.id, 'congestion', 503],
      [second.id, 'answered', undefined],
    ]);
  });

  it('given credit for 10 s and the controller stopped from second 2 to second 15 of the call, then the switch cuts the call at 10 s (+-1 s) and it is billed once for 10 s', async function () {
    const caller = await createUser('payer');
    expect((await api('PUT', `/v1/users/${caller.id}/price-plan`, { planId })).status).to.equal(200);
    expect((await api('POST', `/v1/users/${caller.id}/balance`, { amount: '0.10', currency: 'USD', reference: `e2e-lean-${randomInt(1e9)}` })).status).to.equal(200);
    const [callerDevice, bobDevice] = [device(caller), device(bob)];
    await Promise.all([register(callerDevice), register(bobDevice)]);
    const callee = await answerOn(bobDevice, { kind: 'answer', ringMs: 100 });
    const placed = call(callerDevice, bob.username, { hangup: 'callee', holdMs: 30_000, audio: false });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    app.signal('SIGSTOP');
    try {
      await new Promise((resolve) => setTimeout(resolve, 13_000));
    } finally {
      app.signal('SIGCONT');
    }
    const [result] = await Promise.all([placed.done, callee.done]);
    expect(finalCode(result)).to.equal(200);
    expect(answeredToByeMs(result), 'time from 200 OK to the switch\'s BYE').to.be.within(9_000, 11_000);
    const records = await eventually(() => callRecordsOf(caller.id), (rows) => rows.length > 0);
    expect(records).to.have.length(1);
    expect(records[0]).to.include({ end_cause: 'terminated', end_reason: 'credit_exhausted' });
    expect(records[0]?.talk_ms).to.be.within(9_000, 10_500);
    const balance = await eventually(
      async () => (await api('GET', `/v1/users/${caller.id}/balance`)).body as { balanceMinor: number; reservedMinor: number },
      (b) => b.reservedMinor === 0,
    );
    expect(balance.balanceMinor).to.be.within(0, 1);
  });
});
