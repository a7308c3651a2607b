import { expect } from 'chai';
import {
  type AuthorizationRequest,
  type CallAuthorization,
  type CallAuthorizer,
  type CarrierCapacity,
  type CarrierDirectory,
  type CarrierSlot,
  CallStateManager,
  InMemoryCallStore,
  type Party,
  type RouteRequest,
} from '../../../app/call-state';
import { type CallEnded } from '../../../app/shared/events';
import { silentLogger } from '../../../app/shared/infra/logger';
import { FakeSwitch } from '../../support/fakes/fake-switch';
import { ManualTime } from '../../support/fakes/manual-scheduler';
import { storedAgain } from '../../support/fakes/stored-again';

const alice: Party = { userId: 'u-a', username: 'alice', phoneNumber: '+14155550101' };
const bob: Party = { userId: 'u-b', username: 'bob', phoneNumber: '+14155550102' };
const LONDON = '+442071838750';
const PROGRESS_TIMEOUT_SECONDS = 3;

// Carriers c1, c2, c3 (in the router's order); `full` ones have no free call slot.
class FakeCarriers implements CarrierDirectory, CarrierCapacity {
  full = new Set<string>();
  // Disabled (or deleted) carriers: their endpoint no longer names an enabled carrier.
  disabled = new Set<string>();
  // Per carrier, the legs holding one of its slots.
  slots = new Map<string, Set<string>>();
  dialTarget(carrierId: string, destination: string): ReturnType<CarrierDirectory['dialTarget']> {
    return Promise.resolve({ carrierId, endpoint: `PJSIP/${destination}@carrier_${carrierId}`, maxConcurrentCalls: 10 });
  }
  carrierOfEndpoint(endpointId: string): Promise<string | undefined> {
    const carrierId = endpointId.replace(/^carrier_/, '');
    return Promise.resolve(this.disabled.has(carrierId) ? undefined : carrierId);
  }
  tryAcquire(carrierId: string, legId: string): Promise<boolean> {
    if (this.full.has(carrierId)) return Promise.resolve(false);
    return this.hold([{ carrierId, legId }]).then(() => true);
  }
  hold(slots: CarrierSlot[]): Promise<void> {
    for (const { carrierId, legId } of slots) this.slots.set(carrierId, (this.slots.get(carrierId) ?? new Set()).add(legId));
    return Promise.resolve();
  }
  release(carrierId: string, legId: string): Promise<void> {
    this.slots.get(carrierId)?.delete(legId);
    return Promise.resolve();
  }
  held(carrierId: string): number {
    return this.slots.get(carrierId)?.size ?? 0;
  }
}

class Billing implements CallAuthorizer {
  down = false;
  asked = 0;
  authorize(): Promise<CallAuthorization> {
    this.asked += 1;
    return this.down ? Promise.reject(new Error('database down')) : Promise.resolve({ allowed: true, reservedSeconds: 600 });
  }
  extend(): Promise<CallAuthorization> {
    return Promise.resolve({ allowed: true, reservedSeconds: 600 });
  }
  // Billing's rule when it cannot be reached, for a caller on a plan with free on-net calls.
  outageAnswer(request: AuthorizationRequest): CallAuthorization {
    return request.onNet ? { allowed: true, reservedSeconds: null } : { allowed: false, reason: 'billing_unavailable' };
  }
}

// A controller; given a store, one restarted over the calls its predecessor left there.
function setup(store = new InMemoryCallStore()): { manager: CallStateManager; sw: FakeSwitch; store: InMemoryCallStore; time: ManualTime; carriers: FakeCarriers; billing: Billing; routed: RouteRequest[] } {
  const sw = new FakeSwitch();
  const time = new ManualTime();
  const carriers = new FakeCarriers();
  const billing = new Billing();
  const routed: RouteRequest[] = [];
  const manager = new CallStateManager({
    switchControl: sw,
    authorizer: billing,
    directory: {
      findByUsername: (username) => Promise.resolve([alice, bob].find((party) => party.username === username)),
      findByDialed: (dialed) => Promise.resolve([alice, bob].find((party) => party.username === dialed || party.phoneNumber === dialed)),
    },
    connections: { connectionsOf: () => Promise.resolve([{ contactUri: 'sip:bob@10.0.0.1:5062' }]) },
    store,
    clock: time,
    scheduler: time,
    log: silentLogger,
    ringTimeoutSeconds: 30,
    pstn: {
      router: {
        routesFor: (request) => {
          routed.push(request);
          return Promise.resolve(request.destination.startsWith('+44') ? ['c1', 'c2', 'c3'] : []);
        },
      },
      carriers,
      capacity: carriers,
      progressTimeoutSeconds: PROGRESS_TIMEOUT_SECONDS,
    },
  });
  return { manager, sw, store, time, carriers, billing, routed };
}

async function settle(time: ManualTime, ms = 0): Promise<void> {
  time.advance(ms);
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

const carrierOf = (endpoint: string): string => endpoint.replace(/^.*@carrier_/, '');
const ended = (store: InMemoryCallStore): CallEnded | undefined => store.queued.find((event) => event.type === 'call.v1.ended') as CallEnded | undefined;

describe('call state manager: calls to the phone network through carriers', function () {
  async function dialLondon(context: ReturnType<typeof setup>): Promise<void> {
    await context.manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: LONDON, at: context.time.now() });
  }

  async function carrierEnds(context: ReturnType<typeof setup>, index: number, sipCode: number): Promise<void> {
    const leg = context.sw.originated()[index];
    if (!leg) expect.fail(`no attempt ${index + 1}`);
    await context.manager.handle({ type: 'channel.hungup', channelId: leg.channelId, cause: 0, causeText: '', sipCode, at: context.time.now() });
  }

  it('given the first carrier answers 503, then the next is tried and its answer is bridged; both attempts are on the record', async function () {
    const context = setup();
    await dialLondon(context);
    expect(context.routed[0]).to.include({ destination: LONDON });
    await carrierEnds(context, 0, 503);
    const second = context.sw.originated()[1];
    expect(context.sw.originated().map((request) => carrierOf(request.endpoint))).to.deep.equal(['c1', 'c2']);
    if (!second) expect.fail('no second attempt');
    await context.manager.handle({ type: 'channel.ringing', channelId: second.channelId, at: context.time.now() });
    await context.manager.handle({ type: 'leg.answered', channelId: second.channelId, callId: second.callId, at: context.time.now() });
    expect(context.sw.of('addToBridge')[0]?.channelIds).to.have.members(['caller-1', second.channelId]);
    await context.manager.handle({ type: 'channel.hungup', channelId: 'caller-1', cause: 16, causeText: '', at: context.time.now() });
    const record = ended(context.store);
    expect(record?.attempts?.map((attempt) => [attempt.carrierId, attempt.outcome, attempt.sipCode])).to.deep.equal([
      ['c1', 'congestion', 503],
      ['c2', 'answered', undefined],
    ]);
    expect(record?.carrierId).to.equal('c2');
    expect(['c1', 'c2', 'c3'].map((carrierId) => context.carriers.held(carrierId)), 'every slot released').to.deep.equal([0, 0, 0]);
  });

  it('given an answered call through a carrier taken over after a restart, then its slot is held again, kept alive, and released when the call ends', async function () {
    const before = setup();
    await dialLondon(before);
    const leg = before.sw.originated()[0];
    if (!leg) expect.fail('no attempt');
    await before.manager.handle({ type: 'leg.answered', channelId: leg.channelId, callId: leg.callId, at: before.time.now() });
    // The controller dies; its slot expires in Redis before the new one takes the call over.
    const after = setup(before.store);
    expect(await after.manager.recover()).to.equal(1);
    expect(after.carriers.held('c1'), 'held again on adoption').to.equal(1);
    after.carriers.slots.clear();
    await after.manager.keepAlive();
    expect(after.carriers.held('c1'), 'held again by the keep-alive').to.equal(1);
    await after.manager.handle({ type: 'channel.hungup', channelId: 'caller-1', cause: 16, causeText: '', at: after.time.now() });
    expect(after.carriers.held('c1'), 'released at the end').to.equal(0);
    expect(ended(after.store)).to.include({ cause: 'completed', carrierId: 'c1' });
  });

  it('given the first carrier ringing, when the controller restarts (the call read back from its stored form) and that carrier then fails with 503, then the next carrier is tried and connects the call', async function () {
    const before = setup();
    await dialLondon(before);
    const first = before.sw.originated()[0];
    if (!first) expect.fail('no attempt');
    await before.manager.handle({ type: 'channel.ringing', channelId: first.channelId, at: before.time.now() });
    const after = setup(await storedAgain(before.store));
    expect(await after.manager.recover()).to.equal(1);
    await after.manager.handle({ type: 'channel.hungup', channelId: first.channelId, cause: 0, causeText: '', sipCode: 503, at: after.time.now() });
    const second = after.sw.originated()[0];
    if (!second) expect.fail('no second attempt');
    expect(carrierOf(second.endpoint)).to.equal('c2');
    await after.manager.handle({ type: 'leg.answered', channelId: second.channelId, callId: second.callId, at: after.time.now() });
    await after.manager.handle({ type: 'channel.hungup', channelId: 'caller-1', cause: 16, causeText: '', at: after.time.now() });
    expect(ended(after.store)?.attempts?.map((attempt) => [attempt.carrierId, attempt.outcome, attempt.sipCode])).to.deep.equal([
      ['c1', 'congestion', 503],
      ['c2', 'answered', undefined],
    ]);
  });

  it('given the first carrier ringing, when it fails while the controller is away, then reconciliation after the restart tries the next carrier instead of ending the call', async function () {
    const before = setup();
    await dialLondon(before);
    const after = setup(await storedAgain(before.store));
    await after.manager.recover();
    // The switch still has the caller; the first carrier's channel is gone.
    await after.manager.reconcile([{ id: 'caller-1', createdAt: new Date(0), inApp: 'caller' }], after.time.now());
    expect(after.sw.originated().map((request) => carrierOf(request.endpoint))).to.deep.equal(['c2']);
    expect(ended(after.store)).to.equal(undefined);
    expect(after.carriers.held('c2')).to.equal(1);
  });

  it('given a carrier leg, then its channel is created in the application first and then dialled with the caller, within the ring timeout plus a margin', async function () {
    const context = setup();
    await dialLondon(context);
    const leg = context.sw.originated()[0];
    expect(context.sw.commands.map((command) => command.kind)).to.deep.equal(['create', 'dial']);
    expect(context.sw.of('dial')).to.deep.equal([{ kind: 'dial', channelId: leg?.channelId, callerChannelId: 'caller-1', timeoutSeconds: leg?.timeoutSeconds }]);
    expect(leg?.timeoutSeconds).to.be.greaterThan(30);
  });

  it('given a carrier that says 183 (early media) and never 180, then it is kept past the progress timeout, bridged with the caller at once and the caller told of the progress; its answer is not bridged again', async function () {
    const context = setup();
    await dialLondon(context);
    const leg = context.sw.originated()[0];
    if (!leg) expect.fail('no attempt');
    context.time.advance(700);
    await context.manager.handle({ type: 'channel.progress', channelId: leg.channelId, at: context.time.now() });
    expect(context.sw.of('createBridge')).to.deep.equal([{ kind: 'createBridge', bridgeId: leg.callId }]);
    expect(context.sw.of('addToBridge')).to.deep.equal([{ kind: 'addToBridge', bridgeId: leg.callId, channelIds: ['caller-1', leg.channelId] }]);
    expect(context.sw.of('progress')).to.deep.equal([{ kind: 'progress', channelId: 'caller-1' }]);
    expect(context.sw.of('ring'), 'no local ringback over the early media').to.have.length(0);
    await settle(context.time, PROGRESS_TIMEOUT_SECONDS * 1000 + 10);
    expect(context.sw.originated(), 'no other carrier tried').to.have.length(1);
    expect(context.sw.of('hangup')).to.have.length(0);
    await context.manager.handle({ type: 'leg.answered', channelId: leg.channelId, callId: leg.callId, at: context.time.now() });
    expect(context.sw.of('answer')).to.deep.equal([{ kind: 'answer', channelId: 'caller-1' }]);
    expect(context.sw.of('addToBridge'), 'already bridged').to.have.length(1);
    expect(context.sw.of('createBridge')).to.have.length(1);
    await context.manager.handle({ type: 'channel.hungup', channelId: 'caller-1', cause: 16, causeText: '', at: context.time.now() });
    const record = ended(context.store);
    expect(record?.attempts).to.deep.equal([{ carrierId: 'c1', outcome: 'answered', pddMs: 700 }]);
    expect(record?.ringingAt, 'the call progressed at the 183').to.be.a('string');
  });

  it('given an early-media carrier that fails with 503, then the next carrier joins the same bridge without moving the caller; a call that ends unanswered has its bridge destroyed', async function () {
    const context = setup();
    await dialLondon(context);
    const first = context.sw.originated()[0];
    await context.manager.handle({ type: 'channel.progress', channelId: first?.channelId ?? '', at: context.time.now() });
    await carrierEnds(context, 0, 503);
    const second = context.sw.originated()[1];
    await context.manager.handle({ type: 'channel.progress', channelId: second?.channelId ?? '', at: context.time.now() });
    expect(context.sw.of('addToBridge').map((command) => command.channelIds)).to.deep.equal([['caller-1', first?.channelId], [second?.channelId]]);
    expect(context.sw.of('progress'), 'the caller is told once').to.have.length(1);
    await carrierEnds(context, 1, 486);
    expect(context.sw.of('reject')).to.deep.equal([{ kind: 'reject', channelId: 'caller-1', sipCode: 486 }]);
    expect(context.sw.of('destroyBridge')).to.deep.equal([{ kind: 'destroyBridge', bridgeId: first?.callId }]);
  });

  it('given an answered call, when the answer of its answered leg is reported again, then nothing is hung up', async function () {
    const context = setup();
    await dialLondon(context);
    const leg = context.sw.originated()[0];
    if (!leg) expect.fail('no attempt');
    await context.manager.handle({ type: 'leg.answered', channelId: leg.channelId, callId: leg.callId, at: context.time.now() });
    await context.manager.handle({ type: 'leg.answered', channelId: leg.channelId, callId: leg.callId, at: context.time.now() });
    expect(context.sw.of('hangup')).to.have.length(0);
    expect(context.manager.liveCallCount()).to.equal(1);
  });

  it('given the first carrier refuses our credentials or account (401, 407, 403), then the next carrier is tried', async function () {
    for (const code of [401, 407, 403]) {
      const context = setup();
      await dialLondon(context);
      await carrierEnds(context, 0, code);
      expect(context.sw.originated().map((request) => carrierOf(request.endpoint)), `after ${code}`).to.deep.equal(['c1', 'c2']);
    }
  });

  it('given a call from a carrier that is no longer enabled, then it is refused with 403 and rings nobody', async function () {
    const context = setup();
    context.carriers.disabled.add('c1');
    await context.manager.handle({ type: 'call.arrived', channelId: 'inbound-1', origin: { kind: 'carrier', endpointId: 'carrier_c1', callerNumber: '+442071838750' }, dialed: bob.phoneNumber, at: context.time.now() });
    expect(context.sw.originated()).to.have.length(0);
    expect(context.sw.of('reject')).to.deep.equal([{ kind: 'reject', channelId: 'inbound-1', sipCode: 403 }]);
    expect(ended(context.store)).to.include({ cause: 'not_allowed', reason: 'carrier_disabled', direction: 'inbound' });
  });

  it('given the callee is busy (486) or declines (603), then no other carrier is tried and the caller hears that code', async function () {
    for (const code of [486, 603]) {
      const context = setup();
      await dialLondon(context);
      await carrierEnds(context, 0, code);
      expect(context.sw.originated(), `after ${code}`).to.have.length(1);
      expect(context.sw.of('reject')).to.deep.equal([{ kind: 'reject', channelId: 'caller-1', sipCode: code }]);
    }
  });

  it('given a carrier at its call limit, then it is skipped and recorded as skipped_at_limit (never invited); when every carrier fails, the caller gets 503', async function () {
    const context = setup();
    context.carriers.full.add('c1');
    await dialLondon(context);
    expect(context.sw.originated().map((request) => carrierOf(request.endpoint))).to.deep.equal(['c2']);
    await carrierEnds(context, 0, 500);
    await carrierEnds(context, 1, 503);
    expect(context.sw.originated()).to.have.length(2);
    // The phone network could not be reached through anyone: the platform's failure, not the callee's.
    expect(context.sw.of('reject')).to.deep.equal([{ kind: 'reject', channelId: 'caller-1', sipCode: 503 }]);
    expect(ended(context.store)).to.include({ reason: 'carriers_failed' });
    expect(ended(context.store)?.attempts?.map((attempt) => [attempt.carrierId, attempt.outcome])).to.deep.equal([
      ['c1', 'skipped_at_limit'],
      ['c2', 'congestion'],
      ['c3', 'congestion'],
    ]);
  });

  it('given a carrier that sends no provisional response, then it is hung up after the progress timeout and the next is tried; one that rings is not', async function () {
    const context = setup();
    await dialLondon(context);
    await settle(context.time, PROGRESS_TIMEOUT_SECONDS * 1000 + 10);
    const first = context.sw.originated()[0];
    expect(context.sw.of('hangup').map((command) => command.channelId)).to.include(first?.channelId);
    const second = context.sw.originated()[1];
    expect(carrierOf(second?.endpoint ?? '')).to.equal('c2');
    await context.manager.handle({ type: 'channel.ringing', channelId: second?.channelId ?? '', at: context.time.now() });
    await settle(context.time, PROGRESS_TIMEOUT_SECONDS * 1000 + 10);
    expect(context.sw.originated(), 'a ringing carrier is left to ring').to.have.length(2);
  });

  it('given the originate to a carrier gets no answer in time, then its channel is hung up in case it exists, its slot is released and the next carrier is tried', async function () {
    const context = setup();
    context.sw.timeOutOriginateFor.add('carrier_c1');
    await dialLondon(context);
    const [first, second] = context.sw.originated();
    expect(context.sw.of('hangup').map((command) => command.channelId)).to.deep.equal([first?.channelId]);
    expect(carrierOf(second?.endpoint ?? '')).to.equal('c2');
    expect(context.carriers.held('c1')).to.equal(0);
  });

  it("given billing is down, then a call to the phone network fails closed with 503 before any carrier is dialled, and a call to another user follows billing's outage answer (a free plan: it goes on unbilled)", async function () {
    const pstn = setup();
    pstn.billing.down = true;
    await dialLondon(pstn);
    expect(pstn.sw.originated()).to.have.length(0);
    expect(pstn.sw.of('reject')).to.deep.equal([{ kind: 'reject', channelId: 'caller-1', sipCode: 503 }]);

    const onNet = setup();
    onNet.billing.down = true;
    await onNet.manager.handle({ type: 'call.arrived', channelId: 'caller-2', origin: { kind: 'user', username: 'alice' }, dialed: 'bob', at: onNet.time.now() });
    expect(onNet.sw.originated()).to.have.length(1);
    expect(onNet.sw.of('reject')).to.have.length(0);
  });

  it('given a call from the phone network whose caller number is no E.164 number, then the call rings the owner of the number with a caller number that fits a number', async function () {
    const context = setup();
    for (const [channelId, callerNumber, expected] of [
      ['inbound-1', '00442071838750', '+442071838750'],
      ['inbound-2', 'anonymous', 'anonymous'],
      ['inbound-3', '999123456789012345678901234', '9991234567890123'],
    ] as const) {
      await context.manager.handle({ type: 'call.arrived', channelId, origin: { kind: 'carrier', endpointId: 'carrier_c1', callerNumber }, dialed: '14155550102', at: context.time.now() });
      const requested = context.store.queued.filter((event) => event.type === 'call.v1.requested').at(-1) as { caller?: { phoneNumber: string } } | undefined;
      expect(requested?.caller?.phoneNumber, callerNumber).to.equal(expected);
      expect(context.sw.originated().at(-1)?.callerId, callerNumber).to.equal(`<${expected}>`);
    }
    expect(context.sw.of('reject')).to.have.length(0);
  });

  it('given a number no carrier takes, then the caller gets 404 without billing being asked', async function () {
    const context = setup();
    await context.manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: '+14155550000', at: context.time.now() });
    expect(context.sw.of('reject')).to.deep.equal([{ kind: 'reject', channelId: 'caller-1', sipCode: 404 }]);
    expect(context.billing.asked).to.equal(0);
    expect(ended(context.store)).to.include({ cause: 'no_route', reason: 'no_carrier' });
  });
});
