import { expect } from 'chai';
import { type AuthorizationRequest, type CallAuthorization, type CallAuthorizer, CallStateManager, InMemoryCallStore, type Party } from '../../../app/call-state';
import { type PublishableEvent } from '../../../app/shared/events';
import { silentLogger } from '../../../app/shared/infra/logger';
import { type Call } from '../../../app/call-state/call';
import { FakeSwitch } from '../../support/fakes/fake-switch';
import { ManualTime } from '../../support/fakes/manual-scheduler';
import { advance, answeredCall, endedEvent } from './harness';

const alice: Party = { userId: 'u-a', username: 'alice', phoneNumber: '+14155550101' };
const bob: Party = { userId: 'u-b', username: 'bob', phoneNumber: '+14155550102' };

// The live call store of a Redis that goes away: while `down`, every write rejects as node-redis's
// does with its offline queue disabled.
class FlakyStore extends InMemoryCallStore {
  down = false;
  refused = 0;
  override save(call: Call, events: PublishableEvent[] = []): Promise<void> {
    return this.down ? this.refuse() : super.save(call, events);
  }
  override delete(call: Call, events: PublishableEvent[] = []): Promise<void> {
    return this.down ? this.refuse() : super.delete(call, events);
  }
  private refuse(): Promise<void> {
    this.refused += 1;
    return Promise.reject(new Error('The client is closed'));
  }
}

const paidFor = (seconds: number): CallAuthorizer => ({
  authorize: (_request: AuthorizationRequest): Promise<CallAuthorization> => Promise.resolve({ allowed: true, reservedSeconds: seconds }),
  extend: () => Promise.resolve({ allowed: false, reason: 'no_credit' }),
});

function setup(authorizer?: CallAuthorizer): { manager: CallStateManager; sw: FakeSwitch; store: FlakyStore; time: ManualTime } {
  const sw = new FakeSwitch();
  const time = new ManualTime();
  const store = new FlakyStore();
  const manager = new CallStateManager({
    switchControl: sw,
    directory: {
      findByUsername: (username) => Promise.resolve([alice, bob].find((party) => party.username === username)),
      findByDialed: (dialed) => Promise.resolve([alice, bob].find((party) => party.username === dialed)),
    },
    connections: { connectionsOf: () => Promise.resolve([{ contactUri: 'sip:bob@10.0.0.1:5062' }]) },
    store,
    clock: time,
    scheduler: time,
    log: silentLogger,
    ringTimeoutSeconds: 30,
    ...(authorizer ? { authorizer } : {}),
  });
  return { manager, sw, store, time };
}

// Fails the test on a rejection nobody handled (in production it would have ended the controller).
function watchRejections(): { seen: unknown[]; stop: () => void } {
  const seen: unknown[] = [];
  const listener = (reason: unknown): void => void seen.push(reason);
  process.on('unhandledRejection', listener);
  return { seen, stop: () => process.off('unhandledRejection', listener) };
}

const endedEvents = (store: InMemoryCallStore): PublishableEvent[] => store.queued.filter((event) => event.type === 'call.v1.ended');

describe('call state manager: the live call store (Redis) refusing writes', function () {
  it('given a paid call, when its cut-off timer fires while the store rejects writes, then the call is cut, the manager goes on, and the ended event is queued once when the store is back', async function () {
    const rejections = watchRejections();
    try {
      const { manager, sw, store, time } = setup(paidFor(20));
      const callId = await answeredCall({ manager, sw, time });
      store.down = true;
      sw.commands.length = 0;
      await advance(time, 19_500);
      // The switch was told at the right time, whatever the store said.
      expect(sw.of('hangup').map((command) => command.channelId)).to.include('caller-1');
      expect(store.refused).to.be.greaterThan(0);
      expect(endedEvent(store)).to.equal(undefined);
      expect(manager.ownsCall(callId)).to.equal(false);

      // Redis is back: the kept write goes out at the next retry.
      store.down = false;
      await advance(time, 2_000);
      const ended = endedEvents(store);
      expect(ended).to.have.length(1);
      expect(ended[0]).to.include({ callId, cause: 'terminated', reason: 'credit_exhausted' });
      expect(await store.get(callId)).to.equal(undefined);
      await advance(time, 10_000);
      expect(endedEvents(store)).to.have.length(1);
      expect(rejections.seen).to.deep.equal([]);
    } finally {
      rejections.stop();
    }
  });

  it('given the store is down, when a call arrives, then the caller gets 503 at once and its requested and ended events are queued in order once the store is back', async function () {
    const { manager, sw, store, time } = setup();
    store.down = true;
    await manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: 'bob', at: time.now() });
    expect(sw.originated()).to.have.length(0);
    expect(sw.of('reject')).to.deep.equal([{ kind: 'reject', channelId: 'caller-1', sipCode: 503 }]);
    // A second caller is refused without another wait on the store.
    const refusedBefore = store.refused;
    await manager.handle({ type: 'call.arrived', channelId: 'caller-2', origin: { kind: 'user', username: 'alice' }, dialed: 'bob', at: time.now() });
    expect(sw.of('reject').map((command) => command.channelId)).to.deep.equal(['caller-1', 'caller-2']);
    expect(store.refused).to.equal(refusedBefore);

    store.down = false;
    await advance(time, 3_000);
    expect(store.queued.map((event) => event.type)).to.deep.equal(['call.v1.requested', 'call.v1.ended', 'call.v1.requested', 'call.v1.ended']);
    expect(endedEvents(store)[0]).to.include({ cause: 'failed', sipCode: 503 });
    expect(await store.liveCalls()).to.deep.equal([]);
  });

  it('given an answered free call, when the caller hangs up while the store is down, then the call ends on the switch and is recorded once the store is back', async function () {
    const { manager, sw, store, time } = setup();
    const callId = await answeredCall({ manager, sw, time });
    store.down = true;
    await manager.handle({ type: 'channel.hungup', channelId: 'caller-1', cause: 16, causeText: 'Normal Clearing', at: time.now() });
    expect(manager.ownsCall(callId)).to.equal(false);
    await advance(time, 5_000);
    expect(endedEvents(store)).to.have.length(0);
    store.down = false;
    await advance(time, 2_000);
    expect(endedEvents(store)).to.have.length(1);
    expect(endedEvents(store)[0]).to.include({ callId, cause: 'completed' });
  });
});
