import { expect } from 'chai';
import { api, createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { channelsOf, eventually } from '../support/ari';
import { answerOn, call, device, register, type Device } from '../support/devices';
import { callRecordsOf } from '../support/records';
import { finalCode, type SippResult, statusCodes } from '../support/sipp';

const received = (result: SippResult, method: string): number => result.received.filter((line) => line.startsWith(`${method} `)).length;

// Real calls through Asterisk with the controller deciding: one user with two registered devices.
describe('e2e: ringing every device of the callee', function () {
  let app: AppProcess;
  let alice: TestUser;
  let bob: TestUser;
  let aliceDevice: Device;
  let bobPhone: Device;
  let bobLaptop: Device;

  before(async function () {
    // A short ring timeout keeps the no-answer case quick.
    app = await AppProcess.start({ RING_TIMEOUT_SECONDS: '4' });
    [alice, bob] = await Promise.all([createUser('alice'), createUser('bob')]);
  });

  beforeEach(async function () {
    aliceDevice = device(alice);
    bobPhone = device(bob);
    bobLaptop = device(bob);
    for (const dev of [aliceDevice, bobPhone, bobLaptop]) expect(statusCodes(await register(dev))).to.include(200);
  });

  afterEach(async function () {
    // Unregister bob's devices so that the next test starts with exactly its own two.
    await Promise.all([register(bobPhone, { expires: 0 }), register(bobLaptop, { expires: 0 })]);
    await eventually(async () => [...(await channelsOf(alice.username)), ...(await channelsOf(bob.username))], (channels) => channels.length === 0);
  });

  after(async function () {
    await app?.stop();
  });

  it('given two devices ringing, when the laptop answers first, then it is bridged and the phone gets CANCEL', async function () {
    const phone = await answerOn(bobPhone, { kind: 'answer', ringMs: 3000 });
    const laptop = await answerOn(bobLaptop, { kind: 'answer', ringMs: 500 });
    const caller = call(aliceDevice, bob.username, { holdMs: 2000 });
    const [callerResult, phoneResult, laptopResult] = await Promise.all([caller.done, phone.done, laptop.done]);

    expect(finalCode(callerResult)).to.equal(200);
    expect(received(laptopResult, 'BYE'), 'the laptop got the BYE').to.be.greaterThan(0);
    const [record] = await eventually(() => callRecordsOf(alice.id), (rows) => rows.length > 0);
    expect(record).to.include({ end_cause: 'completed', callee_username: bob.username });
    expect(record?.talk_ms).to.be.within(1500, 4000);
    expect(record?.history.map((change) => change.state)).to.deep.equal(['requested', 'routing', 'ringing', 'answered', 'ended']);
    // Asterisk's RTP statistics of both legs, read before hang-up.
    expect(record?.quality.caller?.rxPackets, 'caller RTP packets').to.be.greaterThan(50);
    expect(record?.quality.callee?.txPackets, 'callee RTP packets').to.be.greaterThan(50);
    expect(record?.quality.caller).to.have.property('rxJitterMs');
    expect(received(phoneResult, 'CANCEL'), 'the phone was cancelled').to.equal(1);
    // The phone answered the CANCEL and ended its INVITE with 487; its only ACK is for that 487.
    expect(phoneResult.sent).to.include('SIP/2.0 487 Request Terminated');
    expect(received(phoneResult, 'ACK')).to.equal(1);
    expect(phoneResult.exitCode).to.equal(0);
  });

  it('given both devices busy, when alice calls, then she gets 486', async function () {
    const phone = await answerOn(bobPhone, { kind: 'reject', ringMs: 200, code: 486 });
    const laptop = await answerOn(bobLaptop, { kind: 'reject', ringMs: 400, code: 486 });
    const [callerResult] = await Promise.all([call(aliceDevice, bob.username).done, phone.done, laptop.done]);
    expect(finalCode(callerResult)).to.equal(486);
    const records = await eventually(() => callRecordsOf(alice.id), (rows) => rows.some((row) => row.end_cause === 'busy'));
    expect(records.filter((row) => row.end_cause === 'busy')[0]).to.include({ sip_code: 486, talk_ms: 0, callee_username: bob.username });
  });

  it('given one device declines while the other still rings, then the other keeps ringing and its answer connects the call', async function () {
    const phone = await answerOn(bobPhone, { kind: 'reject', ringMs: 200, code: 603 });
    const laptop = await answerOn(bobLaptop, { kind: 'answer', ringMs: 1500 });
    const [callerResult, phoneResult, laptopResult] = await Promise.all([call(aliceDevice, bob.username, { holdMs: 1000 }).done, phone.done, laptop.done]);
    expect(finalCode(callerResult)).to.equal(200);
    expect(phoneResult.sent.some((line) => line.startsWith('SIP/2.0 603'))).to.equal(true);
    expect(received(laptopResult, 'BYE')).to.be.greaterThan(0);
  });

  it('given every device declines, then alice gets 603', async function () {
    const phone = await answerOn(bobPhone, { kind: 'reject', ringMs: 200, code: 603 });
    const laptop = await answerOn(bobLaptop, { kind: 'reject', ringMs: 300, code: 603 });
    const [callerResult] = await Promise.all([call(aliceDevice, bob.username).done, phone.done, laptop.done]);
    expect(finalCode(callerResult)).to.equal(603);
  });

  it('given nobody answers, when the ring timeout passes, then alice gets 480 and both devices get CANCEL', async function () {
    const phone = await answerOn(bobPhone, { kind: 'ring' });
    const laptop = await answerOn(bobLaptop, { kind: 'ring' });
    const started = Date.now();
    const [callerResult, phoneResult, laptopResult] = await Promise.all([call(aliceDevice, bob.username).done, phone.done, laptop.done]);
    expect(finalCode(callerResult)).to.equal(480);
    expect(Date.now() - started).to.be.within(3500, 15_000);
    expect(received(phoneResult, 'CANCEL')).to.equal(1);
    expect(received(laptopResult, 'CANCEL')).to.equal(1);
    await eventually(() => callRecordsOf(alice.id), (rows) => rows.some((row) => row.end_cause === 'no_answer' && row.sip_code === 480));
  });

  it('given both devices ringing, when alice gives up, then both devices get CANCEL', async function () {
    const phone = await answerOn(bobPhone, { kind: 'ring' });
    const laptop = await answerOn(bobLaptop, { kind: 'ring' });
    const [callerResult, phoneResult, laptopResult] = await Promise.all([call(aliceDevice, bob.username, { cancelAfterMs: 1000 }).done, phone.done, laptop.done]);
    expect(callerResult.exitCode, callerResult.errors).to.equal(0);
    expect(finalCode(callerResult)).to.equal(487);
    expect(received(phoneResult, 'CANCEL')).to.equal(1);
    expect(received(laptopResult, 'CANCEL')).to.equal(1);
    await eventually(() => callRecordsOf(alice.id), (rows) => rows.some((row) => row.end_cause === 'cancelled'));
  });

  it('given an operator logs one device out, when alice calls, then only the other device rings', async function () {
    const sessions = await eventually(
      async () => ((await api('GET', `/v1/users/${bob.id}/sessions`)).body.sessions ?? []) as { id: string; contactUri: string }[],
      (list) => list.length === 2,
    );
    const laptopSession = sessions.find((session) => session.contactUri.endsWith(`:${bobLaptop.sipPort}`));
    expect(laptopSession, JSON.stringify(sessions)).to.not.equal(undefined);
    expect((await api('DELETE', `/v1/sessions/${laptopSession?.id ?? ''}`)).status).to.equal(204);

    const phone = await answerOn(bobPhone, { kind: 'answer', ringMs: 300 });
    const laptop = await answerOn(bobLaptop, { kind: 'answer', ringMs: 100 });
    const callerResult = await call(aliceDevice, bob.username, { holdMs: 1000 }).done;
    const phoneResult = await phone.done;
    laptop.kill();
    const laptopResult = await laptop.done;
    expect(finalCode(callerResult)).to.equal(200);
    expect(received(phoneResult, 'INVITE'), 'the phone rang').to.equal(1);
    expect(received(laptopResult, 'INVITE'), 'the logged-out laptop did not ring').to.equal(0);
  });
});
