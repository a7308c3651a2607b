import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { CallerUnreachableError, CallOperations, CallStateManager, CallUserNotFoundError, InMemoryCallStore, type Party } from '../../../app/call-state';
import { type CallEnded, type CallRequested } from '../../../app/shared/events';
import { silentLogger } from '../../../app/shared/infra/logger';
import { FakeSwitch } from '../../support/fakes/fake-switch';
import { ManualTime } from '../../support/fakes/manual-scheduler';
import { storedAgain } from '../../support/fakes/stored-again';

const alice: Party = { userId: randomUUID(), username: 'alice', phoneNumber: '+14155550101' };
const bob: Party = { userId: randomUUID(), username: 'bob', phoneNumber: '+14155550102' };
const RING_TIMEOUT_SECONDS = 30;

function setup(devices: Record<string, string[]> = { alice: ['sip:alice@10.0.0.7:5062', 'sip:alice@10.0.0.8:5064'], bob: ['sip:bob@10.0.0.1:5062'] }, store = new InMemoryCallStore()) {
  const sw = new FakeSwitch();
  const time = new ManualTime();
  const directory = {
    findByUsername: (username: string) => Promise.resolve([alice, bob].find((party) => party.username === username)),
    findByDialed: (dialed: string) => Promise.resolve([alice, bob].find((party) => party.username === dialed || party.phoneNumber === dialed)),
    findById: (userId: string) => Promise.resolve([alice, bob].find((party) => party.userId === userId)),
  };
  const manager = new CallStateManager({
    switchControl: sw,
    directory,
    connections: { connectionsOf: (username) => Promise.resolve((devices[username] ?? []).map((contactUri) => ({ contactUri }))) },
    store,
    clock: time,
    scheduler: time,
    log: silentLogger,
    ringTimeoutSeconds: RING_TIMEOUT_SECONDS,
  });
  const operations = new CallOperations(store, manager, sw, { find: () => Promise.resolve(undefined) }, directory);
  return { sw, time, store, manager, operations };
}

const ofType = <T>(store: InMemoryCallStore, type: string): T[] => store.queued.filter((event) => event.type === type) as T[];

async function settle(time: ManualTime, ms: number): Promise<void> {
  time.advance(ms);
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

describe('call state manager: click-to-call (startCall)', function () {
  it('given alice has two devices, when a call from alice to bob is started, then both her devices ring showing bob, and the call is live with nothing published yet', async function () {
    const { sw, store, manager } = setup();
    const callId = await manager.startCall(alice, 'bob');
    expect(sw.originated().map((request) => [request.endpoint, request.callerId, request.originatorChannelId])).to.deep.equal([
      ['PJSIP/alice/sip:alice@10.0.0.7:5062', '"bob" <bob>', undefined],
      ['PJSIP/alice/sip:alice@10.0.0.8:5064', '"bob" <bob>', undefined],
    ]);
    expect(sw.originated().every((request) => request.callId === callId && request.timeoutSeconds > RING_TIMEOUT_SECONDS)).to.equal(true);
    const live = await store.get(callId);
    expect(live?.state.name).to.equal('requested');
    expect(live?.caller).to.include({ userId: alice.userId, channelId: '' });
    expect(store.queued).to.deep.equal([]);
  });

  it('when one of alice\'s devices answers, then the other stops ringing and bob is called exactly as if that device had dialled him: requested, rung with alice shown, bridged on his answer, recorded', async function () {
    const { sw, store, manager, time } = setup();
    const callId = await manager.startCall(alice, 'bob');
    const [laptop, phone] = sw.originated().map((request) => request.channelId) as [string, string];
    await manager.handle({ type: 'leg.answered', channelId: phone, callId, at: time.now() });
    expect(sw.of('hangup')).to.deep.equal([{ kind: 'hangup', channelId: laptop, reason: 'answered_elsewhere' }]);
    const [requested] = ofType<CallRequested>(store, 'call.v1.requested');
    expect(requested).to.deep.include({ callId, dialed: 'bob', channels: { caller: phone } });
    const toBob = sw.originated()[2];
    expect(toBob).to.include({ endpoint: 'PJSIP/bob/sip:bob@10.0.0.1:5062', callerId: '"alice" <+14155550101>', originatorChannelId: phone });
    await manager.handle({ type: 'channel.ringing', channelId: toBob?.channelId ?? '', at: time.now() });
    expect(sw.of('ring')).to.deep.equal([{ kind: 'ring', channelId: phone }]);
    await manager.handle({ type: 'leg.answered', channelId: toBob?.channelId ?? '', callId, at: time.now() });
    expect(sw.of('addToBridge')).to.deep.equal([{ kind: 'addToBridge', bridgeId: callId, channelIds: [phone, toBob?.channelId] }]);
    await settle(time, 5000);
    await manager.handle({ type: 'channel.hungup', channelId: toBob?.channelId ?? '', cause: 16, causeText: '', at: time.now() });
    expect(sw.of('hangup').map((command) => command.channelId)).to.include(phone);
    const [ended] = ofType<CallEnded>(store, 'call.v1.ended');
    expect(ended).to.deep.include({ cause: 'completed', talkMs: 5000, caller: alice, callee: bob });
  });

  it("given alice's devices ringing, when the controller restarts (the call read back from its stored form) and one of them answers, then the other stops ringing and bob is called from it", async function () {
    const before = setup();
    const callId = await before.manager.startCall(alice, 'bob');
    const [laptop, phone] = before.sw.originated().map((request) => request.channelId) as [string, string];
    const after = setup(undefined, await storedAgain(before.store));
    expect(await after.manager.recover()).to.equal(1);
    await after.manager.handle({ type: 'leg.answered', channelId: phone, callId, at: after.time.now() });
    expect(after.sw.of('hangup')).to.deep.equal([{ kind: 'hangup', channelId: laptop, reason: 'answered_elsewhere' }]);
    expect(after.sw.originated()[0]).to.include({ endpoint: 'PJSIP/bob/sip:bob@10.0.0.1:5062', originatorChannelId: phone });
    expect(ofType<CallRequested>(after.store, 'call.v1.requested')[0]).to.deep.include({ callId, channels: { caller: phone } });
  });

  it("given alice's devices ringing, when the controller restarts and finds one answered waiting in the application and the other gone, then bob is called from the answered one", async function () {
    const before = setup();
    const callId = await before.manager.startCall(alice, 'bob');
    const [, phone] = before.sw.originated().map((request) => request.channelId) as [string, string];
    const after = setup(undefined, await storedAgain(before.store));
    await after.manager.recover();
    await after.manager.reconcile([{ id: phone, createdAt: new Date(0), inApp: 'answered-leg' }], after.time.now());
    expect(after.sw.originated()[0]).to.include({ endpoint: 'PJSIP/bob/sip:bob@10.0.0.1:5062', originatorChannelId: phone, callId });
  });

  it("given alice's devices ringing, when the controller restarts, then the ring timeout still counts from the start and ends the call as not answered, both devices stopped", async function () {
    const before = setup();
    const callId = await before.manager.startCall(alice, 'bob');
    const devices = before.sw.originated().map((request) => request.channelId);
    await settle(before.time, 10_000);
    const after = setup(undefined, await storedAgain(before.store));
    after.time.advance(before.time.now().getTime() - after.time.now().getTime());
    await after.manager.recover();
    await after.manager.reconcile(devices.map((id) => ({ id, createdAt: new Date(0) })), after.time.now());
    await settle(after.time, (RING_TIMEOUT_SECONDS - 10) * 1000);
    expect(after.sw.of('hangup').map((command) => command.channelId)).to.have.members(devices);
    expect(ofType<CallEnded>(after.store, 'call.v1.ended')[0]).to.deep.include({ callId, cause: 'no_answer' });
  });

  it('given alice has no device, or none the switch takes, then CallerUnreachableError and no call is left', async function () {
    const none = setup({ bob: ['sip:bob@10.0.0.1:5062'] });
    const noDevice = await none.manager.startCall(alice, 'bob').catch((error: unknown) => error);
    expect(noDevice).to.be.instanceOf(CallerUnreachableError).with.property('kind', 'unreachable');
    expect(await none.store.liveCalls()).to.deep.equal([]);

    const refused = setup();
    refused.sw.failOriginateFor.add('10.0.0.7:5062');
    refused.sw.failOriginateFor.add('10.0.0.8:5064');
    expect(await refused.manager.startCall(alice, 'bob').catch((error: unknown) => error)).to.be.instanceOf(CallerUnreachableError);
    expect(await refused.store.liveCalls()).to.deep.equal([]);
    expect(refused.manager.liveCallCount()).to.equal(0);
    expect(ofType<CallEnded>(refused.store, 'call.v1.ended')[0]).to.include({ cause: 'unreachable', reason: 'caller_no_answer' });
  });

  it('given alice declines on every device, then the call ends without bob being rung', async function () {
    const { sw, store, manager, time } = setup();
    const callId = await manager.startCall(alice, 'bob');
    for (const request of sw.originated()) await manager.handle({ type: 'channel.hungup', channelId: request.channelId, cause: 21, causeText: '', sipCode: 603, at: time.now() });
    expect(sw.originated()).to.have.length(2);
    expect(await store.get(callId)).to.equal(undefined);
    expect(ofType<CallEnded>(store, 'call.v1.ended')[0]).to.include({ cause: 'no_answer', reason: 'caller_no_answer', talkMs: 0 });
  });

  it('given alice does not answer within the ring timeout, or an operator ends the call first, then her devices stop ringing and the call ends', async function () {
    const late = setup();
    await late.manager.startCall(alice, 'bob');
    await settle(late.time, RING_TIMEOUT_SECONDS * 1000);
    expect(late.sw.of('hangup').map((command) => command.channelId).sort()).to.deep.equal(late.sw.originated().map((request) => request.channelId).sort());
    expect(ofType<CallEnded>(late.store, 'call.v1.ended')[0]).to.include({ cause: 'no_answer' });

    const stopped = setup();
    const callId = await stopped.manager.startCall(alice, 'bob');
    expect(await stopped.manager.terminate(callId)).to.equal(true);
    expect(stopped.sw.of('hangup')).to.have.length(2);
    expect(stopped.sw.of('reject'), 'no caller channel to refuse').to.have.length(0);
    expect(ofType<CallEnded>(stopped.store, 'call.v1.ended')[0]).to.include({ cause: 'terminated', reason: 'operator' });
  });

  it('given the operations API, then `from` is found by id or username, an unknown `from` or `to` username is not found, and the call comes back live', async function () {
    const { operations } = setup();
    expect(await operations.start(alice.userId, 'bob')).to.include({ live: true, state: 'requested', dialed: 'bob' });
    expect(await operations.start('alice', '+442071838750')).to.include({ dialed: '+442071838750' });
    expect(await operations.start('nobody', 'bob').catch((error: unknown) => error)).to.be.instanceOf(CallUserNotFoundError).with.nested.property('details.user', 'nobody');
    expect(await operations.start('alice', 'nobody').catch((error: unknown) => error)).to.be.instanceOf(CallUserNotFoundError);
    expect(await operations.start(randomUUID(), 'bob').catch((error: unknown) => error)).to.be.instanceOf(CallUserNotFoundError);
  });
});
