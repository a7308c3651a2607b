import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Call, CallStateManager, InMemoryCallStore, type InstanceRegistry, type Party } from '../../../app/call-state';
import { CALL_SUBJECTS } from '../../../app/shared/events';
import { silentLogger } from '../../../app/shared/infra/logger';
import { type CallId } from '../../../app/shared/kernel';
import { FakeSwitch } from '../../support/fakes/fake-switch';
import { ManualTime } from '../../support/fakes/manual-scheduler';

const alice: Party = { userId: randomUUID(), username: 'alice', phoneNumber: '+14155550101' };

// node-2 died at `diedAt` (its last heartbeat) and never came back; node-1 and node-3 are running.
function fleetOf(diedAt: Date): InstanceRegistry {
  return {
    isRunning: (id) => Promise.resolve(id !== 'node-2'),
    eventsSeenAt: (id) => Promise.resolve(id === 'node-2' ? diedAt : undefined),
  };
}

function node1(time: ManualTime, store: InMemoryCallStore, diedAt: Date): CallStateManager {
  return new CallStateManager({
    switchControl: new FakeSwitch(),
    directory: { findByUsername: () => Promise.resolve(undefined), findByDialed: () => Promise.resolve(undefined) },
    connections: { connectionsOf: () => Promise.resolve([]) },
    store,
    clock: time,
    scheduler: time,
    log: silentLogger,
    ringTimeoutSeconds: 30,
    instanceId: 'node-1',
    instances: fleetOf(diedAt),
    ownCallsOnly: true,
  });
}

async function callOwnedBy(store: InMemoryCallStore, owner: string, at: Date): Promise<Call> {
  const call = Call.start(randomUUID() as CallId, { ...alice, channelId: randomUUID() }, 'bob', at);
  call.owner = owner;
  await store.save(call);
  return call;
}

describe('call state manager: calls of a node that never comes back', function () {
  it('given node-2 died 10 s ago, when node-1 sweeps with a 30 s bound, then its calls are left for its restarted self', async function () {
    const time = new ManualTime();
    const diedAt = time.now();
    const store = new InMemoryCallStore();
    await callOwnedBy(store, 'node-2', new Date(diedAt.getTime() - 5_000));
    time.advance(10_000);
    expect(await node1(time, store, diedAt).closeCallsOfDeadInstances(30_000)).to.equal(0);
    expect(await store.liveCalls()).to.have.length(1);
  });

  it('given node-2 died 40 s ago, when node-1 sweeps, then its call is closed in the records at node-2\'s last heartbeat (estimated), and a running node\'s call is left alone', async function () {
    const time = new ManualTime();
    const diedAt = time.now();
    const store = new InMemoryCallStore();
    const orphan = await callOwnedBy(store, 'node-2', new Date(diedAt.getTime() - 5_000));
    const kept = await callOwnedBy(store, 'node-3', diedAt);
    time.advance(40_000);
    expect(await node1(time, store, diedAt).closeCallsOfDeadInstances(30_000)).to.equal(1);
    expect((await store.liveCalls()).map((call) => call.id)).to.deep.equal([kept.id]);
    const ended = store.queued.find((event) => event.type === CALL_SUBJECTS.ended && event.callId === orphan.id) as unknown as { endedAt: string; reason?: string; endTimeEstimated?: boolean };
    expect(ended, 'call.v1.ended of the orphan').to.not.equal(undefined);
    expect([ended.endedAt, ended.reason, ended.endTimeEstimated]).to.deep.equal([diedAt.toISOString(), 'ended_while_disconnected', true]);
  });
});

describe("call state manager: a node's own calls when its switch is gone while it runs", function () {
  it("given node-1 drives a call and its Asterisk died at lostAt, when it closes the calls of its lost switch, then the call ends in the records at lostAt (estimated), as a dead node's would", async function () {
    const time = new ManualTime();
    const store = new InMemoryCallStore('node-1');
    const own = await callOwnedBy(store, 'node-1', time.now());
    const manager = node1(time, store, time.now());
    expect(await manager.recover()).to.equal(1);
    const lostAt = new Date(time.now().getTime() + 2_000);
    time.advance(40_000);
    expect(await manager.closeCallsOfLostSwitch(lostAt)).to.equal(1);
    expect(await store.liveCalls()).to.deep.equal([]);
    const ended = store.queued.find((event) => event.type === CALL_SUBJECTS.ended && event.callId === own.id) as unknown as { endedAt: string; reason?: string; endTimeEstimated?: boolean };
    expect([ended.endedAt, ended.reason, ended.endTimeEstimated]).to.deep.equal([lostAt.toISOString(), 'ended_while_disconnected', true]);
    expect(await manager.closeCallsOfLostSwitch(lostAt), 'nothing left to close').to.equal(0);
  });
});
