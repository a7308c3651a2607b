import { expect } from 'chai';
import { api, createUser, type TestUser } from '../support/admin-client';
import { AppProcess } from '../support/app-process';
import { eventually } from '../support/ari';
import { answerOn, device, register } from '../support/devices';
import { callRecordsOf } from '../support/records';

// Click-to-call through the admin API (the design's startCall(from, to)), with real SIP devices.
describe('e2e: click-to-call (POST /v1/calls)', function () {
  let app: AppProcess;
  let alice: TestUser;
  let bob: TestUser;

  before(async function () {
    app = await AppProcess.start({ RING_TIMEOUT_SECONDS: '15' });
    [alice, bob] = await Promise.all([createUser('alice'), createUser('bob')]);
  });

  after(async function () {
    await app?.stop();
  });

  it('given alice and bob registered, when a call from alice (by id) to bob is started, then alice\'s phone rings showing bob, and once she answers bob\'s rings showing alice; they are bridged, and the call is live then recorded like a dialled call', async function () {
    const aliceDevice = device(alice);
    const bobDevice = device(bob);
    await register(aliceDevice);
    await register(bobDevice);
    const alicePhone = await answerOn(aliceDevice, { kind: 'answer', ringMs: 300 });
    const bobPhone = await answerOn(bobDevice, { kind: 'answer', ringMs: 300, hangupAfterMs: 1500 });

    const started = await api('POST', '/v1/calls', { from: alice.id, to: bob.username });
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    expect(started.body).to.include({ live: true, dialed: bob.username });
    const callId = String(started.body.id);
    const listed = await api('GET', `/v1/calls?user=${alice.username}`);
    expect((listed.body.calls as { id: string }[]).map((call) => call.id), 'the call is live at once').to.include(callId);

    const [aliceResult, bobResult] = await Promise.all([alicePhone.done, bobPhone.done]);
    expect(aliceResult.trace, 'alice is shown whom she calls').to.match(new RegExp(`From: "${bob.username}" <sip:${bob.username}@`));
    expect(bobResult.trace, 'bob is shown alice').to.include(alice.phoneNumber);
    expect(aliceResult.received.some((line) => line.startsWith('BYE ')), 'alice hung up when bob did').to.equal(true);
    const [record] = await eventually(() => callRecordsOf(alice.id), (rows) => rows.length === 1);
    expect(record).to.include({ call_id: callId, end_cause: 'completed', callee_username: bob.username, direction: 'on-net' });
    expect(record?.talk_ms).to.be.within(1000, 3000);
    expect(record?.history.map((change) => change.state)).to.deep.equal(['requested', 'routing', 'ringing', 'answered', 'ended']);
  });

  it('given a user nobody has, a user with no registered device, or a `to` that is neither a username nor an E.164 number, then 404, 480 and 400 with an error body', async function () {
    const unknown = await api('POST', '/v1/calls', { from: 'nobody-at-all', to: bob.username });
    expect(unknown.status).to.equal(404);
    expect(unknown.body).to.include({ code: 'CALL.USER_NOT_FOUND' });
    const carol = await createUser('carol');
    const unreachable = await api('POST', '/v1/calls', { from: carol.username, to: bob.username });
    expect(unreachable.status).to.equal(480);
    expect(unreachable.body).to.deep.include({ code: 'CALL.CALLER_UNREACHABLE', details: { username: carol.username } });
    const invalid = await api('POST', '/v1/calls', { from: alice.username, to: '0044 20 7183' });
    expect(invalid.status).to.equal(400);
    expect(invalid.body).to.include({ code: 'REQUEST.INVALID' });
  });
});
