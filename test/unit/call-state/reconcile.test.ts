import { expect } from 'chai';
import { Call, CallStateManager, InMemoryCallStore, type Party, type SwitchChannel, type SwitchEvent } from '../../../app/call-state';
import { type CallEnded } from '../../../app/shared/events';
import { type CallId } from '../../../app/shared/kernel';
import { silentLogger } from '../../../app/shared/infra/logger';
import { FakeSwitch } from '../../support/fakes/fake-switch';
import { ManualTime } from '../../support/fakes/manual-scheduler';

const alice: Party = { userId: 'u-a', username: 'alice', phoneNumber: '+14155550101' };
const bob: Party = { userId: 'u-b', username: 'bob', phoneNumber: '+14155550102' };
const t0 = new Date('2026-11-25T09:00:00Z');
const connectedAt = new Date('2026-11-25T10:00:00Z');

// A controller restarted with calls left in the store by its predecessor, whose last heartbeat
// (when its switch events were last known to arrive) was `heartbeat`, if any.
function restarted(calls: Call[], heartbeat?: Date): { manager: CallStateManager; sw: FakeSwitch; store: InMemoryCallStore; time: ManualTime } {
  const sw = new FakeSwitch();
  const time = new ManualTime();
  const store = new InMemoryCallStore();
  for (const call of calls) void store.save(call);
  const manager = new CallStateManager({
    instanceId: 'controller-1',
    instances: { eventsSeenAt: (instanceId) => Promise.resolve(instanceId === 'controller-1' ? heartbeat : undefined), isRunning: () => Promise.resolve(false) },
    switchControl: sw,
    directory: { findByUsername: () => Promise.resolve(undefined), findByDialed: () => Promise.resolve(undefined) },
    connections: { connectionsOf: () => Promise.resolve([]) },
    store,
    clock: time,
    scheduler: time,
    log: silentLogger,
    ringTimeoutSeconds: 30,
  });
  return { manager, sw, store, time };
}

function answeredCall(id: string): Call {
  const call = Call.start(id as CallId, { ...alice, channelId: `${id}-caller` }, 'bob', t0);
  call.callee = bob;
  call.apply((state) => state.route(), t0);
  call.legs.push({ channelId: `${id}-leg`, contactUri: 'sip:bob@10.0.0.1:5062', state: { name: 'answered' } });
  call.apply((state) => state.answer(`${id}-leg`), t0);
  return call;
}

function ringingCall(id: string, legs: number): Call {
  const call = Call.start(id as CallId, { ...alice, channelId: `${id}-caller` }, 'bob', t0);
  call.callee = bob;
  call.apply((state) => state.route(), t0);
  for (let i = 0; i < legs; i += 1) call.legs.push({ channelId: `${id}-leg${i}`, contactUri: `sip:bob@10.0.0.${i}:5062`, state: { name: 'dialing' } });
  call.ringDeadline = connectedAt.getTime() + 10_000;
  return call;
}

const channel = (id: string, inApp?: SwitchChannel['inApp'], createdAt = t0): SwitchChannel => ({ id, createdAt, ...(inApp ? { inApp } : {}) });

// A running controller where alice can call bob, whose one device is at 10.0.0.1.
function running(): { manager: CallStateManager; sw: FakeSwitch; store: InMemoryCallStore; time: ManualTime } {
  const sw = new FakeSwitch();
  const time = new ManualTime();
  const store = new InMemoryCallStore();
  const manager = new CallStateManager({
    switchControl: sw,
    directory: {
      findByUsername: (username) => Promise.resolve([alice, bob].find((party) => party.username === username)),
      findByDialed: (dialed) => Promise.resolve([alice, bob].find((party) => party.username === dialed)),
    },
    connections: { connectionsOf: (username) => Promise.resolve(username === 'bob' ? [{ contactUri: 'sip:bob@10.0.0.1:5062' }] : []) },
    store,
    clock: time,
    scheduler: time,
    log: silentLogger,
    ringTimeoutSeconds: 30,
  });
  return { manager, sw, store, time };
}

// alice's call to bob, answered by bob's device at the running controller's current time.
async function answeredNow(context: ReturnType<typeof running>): Promise<{ callId: string; leg: string }> {
  await context.manager.handle(aliceCallsBob('alice-1'));
  const request = context.sw.originated()[0];
  if (!request) expect.fail('bob was not dialled');
  await context.manager.handle({ type: 'leg.answered', channelId: request.channelId, callId: request.callId, at: context.time.now() });
  return { callId: request.callId, leg: request.channelId };
}

const endedOf = (store: InMemoryCallStore): CallEnded[] => store.queued.filter((event) => event.type === 'call.v1.ended') as CallEnded[];

const aliceCallsBob = (channelId: string): SwitchEvent => ({ type: 'call.arrived', channelId, origin: { kind: 'user', username: 'alice' }, dialed: 'bob', at: connectedAt });

describe('reconciling with the switch after a restart or lost events', function () {
  it('given answered calls whose channels are all up, then they are adopted untouched and still end correctly later', async function () {
    const { manager, sw, store } = restarted([answeredCall('c1')]);
    expect(await manager.recover()).to.equal(1);
    await manager.reconcile([channel('c1-caller', 'caller'), channel('c1-leg', 'answered-leg')], connectedAt);
    expect(sw.commands).to.have.length(0);
    await manager.handle({ type: 'channel.hungup', channelId: 'c1-caller', cause: 16, causeText: '', at: connectedAt });
    expect(sw.of('hangup').map((command) => command.channelId)).to.deep.equal(['c1-leg']);
    expect(sw.of('destroyBridge')).to.have.length(1);
    expect(store.queued.filter((event) => event.type === 'call.v1.ended')).to.have.length(1);
  });

  it('given an answered call whose caller hung up while events were lost, then the callee is hung up and the call ends once', async function () {
    const { manager, sw, store } = restarted([answeredCall('c2')]);
    await manager.recover();
    await manager.reconcile([channel('c2-leg', 'answered-leg')], connectedAt);
    expect(sw.of('hangup').map((command) => command.channelId)).to.deep.equal(['c2-leg']);
    const ended = store.queued.filter((event) => event.type === 'call.v1.ended') as CallEnded[];
    expect(ended).to.have.length(1);
    expect(ended[0]?.cause).to.equal('completed');
    expect(await store.get('c2')).to.equal(undefined);
  });

  it('given a ringing call whose device answered while events were lost, then the device is bridged with the caller', async function () {
    const { manager, sw } = restarted([ringingCall('c3', 2)]);
    await manager.recover();
    await manager.reconcile([channel('c3-caller', 'caller'), channel('c3-leg1', 'answered-leg'), { id: 'c3-leg0', createdAt: t0 }], connectedAt);
    expect(sw.of('addToBridge')).to.deep.equal([{ kind: 'addToBridge', bridgeId: 'c3', channelIds: ['c3-caller', 'c3-leg1'] }]);
    expect(sw.of('hangup')).to.deep.equal([{ kind: 'hangup', channelId: 'c3-leg0', reason: 'answered_elsewhere' }]);
  });

  it('given a ringing call whose devices all vanished, then the caller is refused', async function () {
    const { manager, sw } = restarted([ringingCall('c4', 2)]);
    await manager.recover();
    await manager.reconcile([channel('c4-caller', 'caller')], connectedAt);
    expect(sw.of('reject')).to.deep.equal([{ kind: 'reject', channelId: 'c4-caller', sipCode: 480 }]);
  });

  it('given a ringing call still ringing, then its ring timeout is re-armed from the stored deadline', async function () {
    const { manager, sw, time } = restarted([ringingCall('c5', 1)]);
    time.advance(connectedAt.getTime() - time.now().getTime());
    await manager.recover();
    await manager.reconcile([channel('c5-caller', 'caller'), { id: 'c5-leg0', createdAt: t0 }], connectedAt);
    expect(sw.commands).to.have.length(0);
    time.advance(10_000);
    await new Promise((resolve) => setImmediate(resolve));
    await manager.handle({ type: 'channel.ringing', channelId: 'unrelated', at: connectedAt });
    expect(sw.of('reject')).to.deep.equal([{ kind: 'reject', channelId: 'c5-caller', sipCode: 480 }]);
  });

  it('given channels in our Stasis app that belong to no call, then those older than the connection are hung up; newer ones, non-Stasis ones and snoop channels of other modules are left alone', async function () {
    const { manager, sw } = restarted([]);
    await manager.recover();
    const newer = new Date(connectedAt.getTime() + 5);
    await manager.reconcile(
      [channel('orphan', 'answered-leg'), channel('just-arrived', 'caller', newer), channel('not-stasis'), channel('snoop-1', 'other')],
      connectedAt,
    );
    expect(sw.of('hangup').map((command) => command.channelId)).to.deep.equal(['orphan']);
  });

  it('given bridges left by calls that ended while the switch was unreachable, then they are destroyed; bridges of live calls and newer ones stay', async function () {
    const { manager, sw } = restarted([answeredCall('c6')]);
    await manager.recover();
    const newer = new Date(connectedAt.getTime() + 5);
    await manager.reconcile([channel('c6-caller', 'caller'), channel('c6-leg', 'answered-leg')], connectedAt, [
      { id: 'c6', channelIds: ['c6-caller', 'c6-leg'], createdAt: t0 },
      { id: 'ended-call', channelIds: [], createdAt: t0 },
      { id: 'bridging-now', channelIds: [], createdAt: newer },
    ]);
    expect(sw.of('destroyBridge').map((command) => command.bridgeId)).to.deep.equal(['ended-call']);
  });

  it('given a device answers for a call nobody knows, then it is hung up instead of waiting in Stasis', async function () {
    const { manager, sw } = restarted([]);
    await manager.handle({ type: 'leg.answered', channelId: 'lost-leg', callId: 'nobody', at: connectedAt });
    expect(sw.of('hangup').map((command) => command.channelId)).to.deep.equal(['lost-leg']);
  });

  it('given a call that arrives after the switch listed its channels, when reconciliation runs, then that call is not judged by the list and its device goes on ringing', async function () {
    const { manager, sw, store } = running();
    sw.whileListing = () => manager.handle(aliceCallsBob('late-caller'));
    await manager.resync(connectedAt);
    expect(sw.originated()).to.have.length(1);
    expect(sw.of('reject'), 'caller not refused').to.have.length(0);
    expect(sw.of('hangup'), 'nothing hung up').to.have.length(0);
    expect(manager.liveCallCount()).to.equal(1);
    expect(store.queued.filter((event) => event.type === 'call.v1.ended')).to.have.length(0);
  });

  it('given a device whose originate is still in flight when the switch lists its channels, then it is not taken for gone: the call goes on and its answer is bridged', async function () {
    const { manager, sw, store } = running();
    let openGate = (): void => undefined;
    sw.originateGate = new Promise((resolve) => (openGate = resolve));
    const arriving = manager.handle(aliceCallsBob('caller-9'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(sw.originated(), 'originate sent, not answered yet').to.have.length(1);
    sw.channels = [channel('caller-9', 'caller')];
    // Asterisk answers the originate once the list is taken (the GET was served before the POST).
    sw.whileListing = () => Promise.resolve(openGate());
    await Promise.all([manager.resync(connectedAt), arriving]);
    expect(sw.of('reject'), 'caller not refused with 480').to.have.length(0);
    const leg = sw.originated()[0];
    await manager.handle({ type: 'leg.answered', channelId: leg?.channelId ?? '', callId: leg?.callId ?? '', at: connectedAt });
    expect(sw.of('addToBridge')).to.deep.equal([{ kind: 'addToBridge', bridgeId: leg?.callId, channelIds: ['caller-9', leg?.channelId] }]);
    expect(store.queued.filter((event) => event.type === 'call.v1.ended')).to.have.length(0);
  });

  it('given an answered call whose caller hung up while the event connection was down, then it ends when the connection was lost, not when it came back, and says so', async function () {
    const context = running();
    const { leg } = await answeredNow(context);
    const answeredAt = context.time.now().getTime();
    const lostAt = new Date(answeredAt + 5_000);
    context.time.advance(65_000);
    context.sw.channels = [channel(leg, 'answered-leg')];
    await context.manager.resync(context.time.now(), lostAt);
    const [ended] = endedOf(context.store);
    expect(ended).to.include({ cause: 'completed', reason: 'ended_while_disconnected', endTimeEstimated: true, talkMs: 5_000, endedAt: lostAt.toISOString() });
    expect(context.sw.of('hangup').map((command) => command.channelId)).to.deep.equal([leg]);
  });

  it('given a call taken over after a restart whose callee hung up meanwhile, then it ends at the previous controller\'s last heartbeat', async function () {
    const heartbeat = new Date(t0.getTime() + 3_000);
    const { manager, store } = restarted([answeredCall('c7')], heartbeat);
    await manager.recover();
    await manager.resync(connectedAt);
    const [ended] = endedOf(store);
    expect(ended).to.include({ cause: 'completed', reason: 'ended_while_disconnected', endTimeEstimated: true, talkMs: 3_000, endedAt: heartbeat.toISOString() });
  });

  it('given a call taken over after a restart and no heartbeat known, when its caller is gone, then it ends at its last recorded change: no unproven talk time', async function () {
    const { manager, store, sw } = restarted([answeredCall('c8')]);
    sw.channels = [channel('c8-leg', 'answered-leg')];
    await manager.recover();
    await manager.resync(connectedAt);
    expect(endedOf(store)[0]).to.include({ reason: 'ended_while_disconnected', talkMs: 0, endedAt: t0.toISOString() });
  });

  it('given a call taken over after a restart that is still up at the first connection, when the connection drops later, then a hang-up in that drop ends it when the drop began', async function () {
    const { manager, store, sw, time } = restarted([answeredCall('c9')], new Date(t0.getTime() + 1_000));
    sw.channels = [channel('c9-caller', 'caller'), channel('c9-leg', 'answered-leg')];
    await manager.recover();
    await manager.resync(connectedAt);
    expect(endedOf(store)).to.have.length(0);
    time.advance(120_000);
    const lostAt = new Date(connectedAt.getTime() + 60_000);
    sw.channels = [channel('c9-leg', 'answered-leg')];
    await manager.resync(time.now(), lostAt);
    expect(endedOf(store)[0]).to.include({ endedAt: lostAt.toISOString(), talkMs: lostAt.getTime() - t0.getTime() });
  });

  it('given reading the media statistics takes a while, when an operator ends a call, then its end time is when it was ended, not after the statistics were read', async function () {
    const context = running();
    const { callId } = await answeredNow(context);
    context.time.advance(10_000);
    const endedAt = context.time.now().toISOString();
    context.sw.onQualityRead = () => context.time.advance(1_000);
    await context.manager.terminate(callId);
    expect(endedOf(context.store)[0]).to.include({ endedAt, talkMs: 10_000, reason: 'operator' });
    expect(endedOf(context.store)[0]?.endTimeEstimated).to.equal(undefined);
  });
});
