import { expect } from 'chai';
import { CallStateManager, InMemoryCallStore, type Party, type SwitchEvent } from '../../../app/call-state';
import { silentLogger } from '../../../app/shared/infra/logger';
import { FakeSwitch } from '../../support/fakes/fake-switch';
import { ManualTime } from '../../support/fakes/manual-scheduler';

const alice: Party = { userId: 'u-alice', username: 'alice', phoneNumber: '+14155550101' };
const bob: Party = { userId: 'u-bob', username: 'bob', phoneNumber: '+14155550102' };

interface Setup {
  manager: CallStateManager;
  sw: FakeSwitch;
  time: ManualTime;
  devices: Map<string, string[]>;
  store: InMemoryCallStore;
  failDirectory: boolean;
}

function setup(): Setup {
  const sw = new FakeSwitch();
  const time = new ManualTime();
  const devices = new Map<string, string[]>([['bob', ['sip:bob@10.0.0.1:5062', 'sip:bob@10.0.0.2:5064']]]);
  const store = new InMemoryCallStore();
  const state = { failDirectory: false } as { failDirectory: boolean };
  const manager = new CallStateManager({
    switchControl: sw,
    directory: {
      findByUsername: (username) => {
        if (state.failDirectory) return Promise.reject(new Error('database down'));
        return Promise.resolve([alice, bob].find((party) => party.username === username));
      },
      findByDialed: (dialed) => Promise.resolve([alice, bob].find((party) => party.username === dialed || party.phoneNumber === dialed)),
    },
    connections: { connectionsOf: (username) => Promise.resolve((devices.get(username) ?? []).map((contactUri) => ({ contactUri }))) },
    store,
    clock: time,
    scheduler: time,
    log: silentLogger,
    ringTimeoutSeconds: 30,
  });
  return Object.defineProperty({ manager, sw, time, devices, store } as Setup, 'failDirectory', {
    get: () => state.failDirectory,
    set: (value: boolean) => (state.failDirectory = value),
  });
}

const at = new Date('2026-11-25T10:00:00Z');
const arrived = (dialed: string, channelId = 'caller-1'): SwitchEvent => ({ type: 'call.arrived', channelId, origin: { kind: 'user', username: 'alice' }, dialed, at });
const ringing = (channelId: string): SwitchEvent => ({ type: 'channel.ringing', channelId, at });
const answered = (channelId: string, callId: string): SwitchEvent => ({ type: 'leg.answered', channelId, callId, at });
const hungUp = (channelId: string, cause = 16): SwitchEvent => ({ type: 'channel.hungup', channelId, cause, causeText: '', at });

async function startRingingCall(s: Setup): Promise<{ callId: string; legs: string[] }> {
  await s.manager.handle(arrived('bob'));
  const legs = s.sw.originated().map((request) => request.channelId);
  const callId = s.sw.originated()[0]?.callId ?? '';
  return { callId, legs };
}

describe('call state manager', function () {
  it('given an unknown callee, when a call arrives, then the caller is refused with 404 and nothing is dialled', async function () {
    const s = setup();
    await s.manager.handle(arrived('nobody'));
    expect(s.sw.of('reject')).to.deep.equal([{ kind: 'reject', channelId: 'caller-1', sipCode: 404 }]);
    expect(s.sw.originated()).to.have.length(0);
    expect(s.manager.liveCallCount()).to.equal(0);
  });

  it('given a callee with no registered device, when a call arrives, then the caller is refused with 480', async function () {
    const s = setup();
    s.devices.set('bob', []);
    await s.manager.handle(arrived('bob'));
    expect(s.sw.of('reject')).to.deep.equal([{ kind: 'reject', channelId: 'caller-1', sipCode: 480 }]);
  });

  it('given a callee with two devices, when a call arrives by phone number, then both devices are dialled in parallel with the caller id of the caller', async function () {
    const s = setup();
    await s.manager.handle(arrived('+14155550102'));
    const requests = s.sw.originated();
    expect(requests.map((request) => request.endpoint)).to.deep.equal(['PJSIP/bob/sip:bob@10.0.0.1:5062', 'PJSIP/bob/sip:bob@10.0.0.2:5064']);
    expect(requests[0]?.callerId).to.equal('"alice" <+14155550101>');
    expect(requests[0]?.originatorChannelId).to.equal('caller-1');
    expect(new Set(requests.map((request) => request.channelId)).size).to.equal(2);
  });

  it('given a ringing device, when it rings, then the caller hears ringing once even if both devices ring', async function () {
    const s = setup();
    const { legs } = await startRingingCall(s);
    await s.manager.handle(ringing(legs[0] ?? ''));
    await s.manager.handle(ringing(legs[1] ?? ''));
    expect(s.sw.of('ring')).to.deep.equal([{ kind: 'ring', channelId: 'caller-1' }]);
  });

  it('given two ringing devices, when the second answers first, then caller and that device are bridged and the other device is cancelled', async function () {
    const s = setup();
    const { callId, legs } = await startRingingCall(s);
    const [first, second] = legs as [string, string];
    await s.manager.handle(ringing(first));
    await s.manager.handle(answered(second, callId));
    expect(s.sw.of('answer')).to.deep.equal([{ kind: 'answer', channelId: 'caller-1' }]);
    expect(s.sw.of('createBridge')).to.deep.equal([{ kind: 'createBridge', bridgeId: callId }]);
    expect(s.sw.of('addToBridge')).to.deep.equal([{ kind: 'addToBridge', bridgeId: callId, channelIds: ['caller-1', second] }]);
    expect(s.sw.of('hangup')).to.deep.equal([{ kind: 'hangup', channelId: first, reason: 'answered_elsewhere' }]);
  });

  it('given an answered call, when a second device answers late, then that device is hung up and the bridge is unchanged', async function () {
    const s = setup();
    const { callId, legs } = await startRingingCall(s);
    const [first, second] = legs as [string, string];
    await s.manager.handle(answered(first, callId));
    await s.manager.handle(answered(second, callId));
    expect(s.sw.of('addToBridge')).to.have.length(1);
    expect(s.sw.of('hangup').map((command) => command.channelId)).to.include(second);
  });

  it('given an answered call, when the callee hangs up, then the caller is hung up and the bridge destroyed', async function () {
    const s = setup();
    const { callId, legs } = await startRingingCall(s);
    await s.manager.handle(answered(legs[0] ?? '', callId));
    s.sw.commands.length = 0;
    await s.manager.handle(hungUp(legs[0] ?? ''));
    expect(s.sw.of('hangup').map((command) => command.channelId)).to.include('caller-1');
    expect(s.sw.of('destroyBridge')).to.deep.equal([{ kind: 'destroyBridge', bridgeId: callId }]);
    expect(s.sw.of('reject')).to.have.length(0);
    expect(s.manager.liveCallCount()).to.equal(0);
  });

  it('given an answered call, when the caller hangs up, then the callee device is hung up and the bridge destroyed', async function () {
    const s = setup();
    const { callId, legs } = await startRingingCall(s);
    await s.manager.handle(answered(legs[1] ?? '', callId));
    s.sw.commands.length = 0;
    await s.manager.handle(hungUp('caller-1'));
    expect(s.sw.of('hangup')).to.deep.equal([{ kind: 'hangup', channelId: legs[1], reason: 'normal' }]);
    expect(s.sw.of('destroyBridge')).to.have.length(1);
  });

  it('given a ringing call, when the caller cancels, then every device is cancelled and the caller is not sent a response', async function () {
    const s = setup();
    const { legs } = await startRingingCall(s);
    s.sw.commands.length = 0;
    await s.manager.handle(hungUp('caller-1', 16));
    expect(s.sw.of('hangup').map((command) => command.channelId).sort()).to.deep.equal([...legs].sort());
    expect(s.sw.of('reject')).to.have.length(0);
  });

  it('given two devices, when one is busy and the other declines, then the caller gets 486', async function () {
    const s = setup();
    const { legs } = await startRingingCall(s);
    await s.manager.handle(hungUp(legs[0] ?? '', 21));
    expect(s.sw.of('reject')).to.have.length(0);
    await s.manager.handle(hungUp(legs[1] ?? '', 17));
    expect(s.sw.of('reject')).to.deep.equal([{ kind: 'reject', channelId: 'caller-1', sipCode: 486 }]);
  });

  it('given two devices, when both decline, then the caller gets 603', async function () {
    const s = setup();
    const { legs } = await startRingingCall(s);
    await s.manager.handle(hungUp(legs[0] ?? '', 21));
    await s.manager.handle(hungUp(legs[1] ?? '', 21));
    expect(s.sw.of('reject')).to.deep.equal([{ kind: 'reject', channelId: 'caller-1', sipCode: 603 }]);
  });

  it('given a ringing call, when the ring timeout passes, then the devices are cancelled and the caller gets 480', async function () {
    const s = setup();
    const { legs } = await startRingingCall(s);
    s.time.advance(29_000);
    expect(s.sw.of('reject')).to.have.length(0);
    s.time.advance(1_000);
    await new Promise((resolve) => setImmediate(resolve));
    await s.manager.handle(hungUp('unrelated'));
    expect(s.sw.of('reject')).to.deep.equal([{ kind: 'reject', channelId: 'caller-1', sipCode: 480 }]);
    expect(s.sw.of('hangup').map((command) => command.channelId).sort()).to.deep.equal([...legs].sort());
  });

  it('given a call ringing devices, then the switch is told to give up on them only after the ring timeout, so that the controller decides first', async function () {
    const s = setup();
    await startRingingCall(s);
    for (const request of s.sw.originated()) expect(request.timeoutSeconds).to.be.greaterThan(30);
  });

  it('given an answered call, when the ring timeout would have passed, then nothing happens to the call', async function () {
    const s = setup();
    const { callId, legs } = await startRingingCall(s);
    await s.manager.handle(answered(legs[0] ?? '', callId));
    s.sw.commands.length = 0;
    s.time.advance(60_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(s.sw.commands).to.have.length(0);
    expect(s.manager.liveCallCount()).to.equal(1);
  });

  it('given one device the switch cannot reach, when a call arrives, then the other device still rings', async function () {
    const s = setup();
    s.sw.failOriginateFor.add('10.0.0.1:5062');
    const { callId, legs } = await startRingingCall(s);
    expect(s.sw.of('reject')).to.have.length(0);
    await s.manager.handle(answered(legs[1] ?? '', callId));
    expect(s.sw.of('addToBridge')).to.have.length(1);
  });

  it('given the switch refuses one device outright, when a call arrives, then nothing is hung up for it (it has no channel)', async function () {
    const s = setup();
    s.sw.failOriginateFor.add('10.0.0.1:5062');
    const { legs } = await startRingingCall(s);
    expect(s.sw.of('hangup').map((command) => command.channelId)).to.not.include(legs[0]);
  });

  it('given the switch does not answer one originate in time, when a call arrives, then that channel is hung up in case it rings, and the other device still rings', async function () {
    const s = setup();
    s.sw.timeOutOriginateFor.add('10.0.0.1:5062');
    const { callId, legs } = await startRingingCall(s);
    expect(s.sw.of('hangup')).to.deep.equal([{ kind: 'hangup', channelId: legs[0], reason: 'normal' }]);
    expect(s.sw.of('reject')).to.have.length(0);
    await s.manager.handle(answered(legs[1] ?? '', callId));
    expect(s.sw.of('addToBridge')).to.have.length(1);
  });

  it('given a timed-out originate whose hang-up fails too, when the call ends, then that channel is hung up again', async function () {
    const s = setup();
    s.sw.timeOutOriginateFor.add('10.0.0.1:5062');
    s.sw.failingHangups = 1;
    const { legs } = await startRingingCall(s);
    await s.manager.handle(hungUp('caller-1'));
    expect(s.sw.of('hangup').filter((command) => command.channelId === legs[0])).to.have.length(2);
  });

  it('given no device the switch can reach, when a call arrives, then the caller gets 480', async function () {
    const s = setup();
    s.sw.failOriginateFor.add('10.0.0.1:5062');
    s.sw.failOriginateFor.add('10.0.0.2:5064');
    await startRingingCall(s);
    expect(s.sw.of('reject')).to.deep.equal([{ kind: 'reject', channelId: 'caller-1', sipCode: 480 }]);
  });

  it('given the user directory is down, when a call arrives, then the caller gets 503 instead of waiting', async function () {
    const s = setup();
    s.failDirectory = true;
    await s.manager.handle(arrived('bob'));
    expect(s.sw.of('reject')).to.deep.equal([{ kind: 'reject', channelId: 'caller-1', sipCode: 503 }]);
  });

  it('given bridging fails, when a device answers, then the call ends and both sides are hung up', async function () {
    const s = setup();
    s.sw.failBridging = true;
    const { callId, legs } = await startRingingCall(s);
    await s.manager.handle(answered(legs[0] ?? '', callId));
    const hungUpChannels = s.sw.of('hangup').map((command) => command.channelId);
    expect(hungUpChannels).to.include.members(['caller-1', legs[0]]);
    expect(s.manager.liveCallCount()).to.equal(0);
  });

  it('given an ended call, when duplicate or late events arrive, then they change nothing and a late answer is hung up', async function () {
    const s = setup();
    const { callId, legs } = await startRingingCall(s);
    await s.manager.handle(answered(legs[0] ?? '', callId));
    await s.manager.handle(hungUp('caller-1'));
    const endedEvents = s.store.queued.length;
    s.sw.commands.length = 0;
    await s.manager.handle(hungUp('caller-1'));
    await s.manager.handle(hungUp(legs[0] ?? ''));
    await s.manager.handle(ringing(legs[1] ?? ''));
    expect(s.sw.commands).to.have.length(0);
    await s.manager.handle(answered(legs[1] ?? '', callId));
    expect(s.sw.commands).to.deep.equal([{ kind: 'hangup', channelId: legs[1], reason: 'normal' }]);
    expect(s.store.queued).to.have.length(endedEvents);
  });

  it('given a live call, when its caller channel arrives in Stasis again, then no second call is created', async function () {
    const s = setup();
    await startRingingCall(s);
    s.sw.commands.length = 0;
    await s.manager.handle(arrived('bob'));
    expect(s.sw.commands).to.have.length(0);
    expect(s.manager.liveCallCount()).to.equal(1);
  });

  it('given a live call, then it is kept in the call store, and removed once ended', async function () {
    const s = setup();
    const { callId } = await startRingingCall(s);
    expect((await s.store.get(callId))?.state.name).to.equal('routing');
    await s.manager.handle(hungUp('caller-1'));
    expect(await s.store.get(callId)).to.equal(undefined);
  });
});
