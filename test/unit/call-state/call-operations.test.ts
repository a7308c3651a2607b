import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { Call, CallOperations, CallStateManager, InMemoryCallStore, type Party } from '../../../app/call-state';
import { silentLogger } from '../../../app/shared/infra/logger';
import { type CallId } from '../../../app/shared/kernel';
import { FakeSwitch } from '../../support/fakes/fake-switch';
import { ManualTime } from '../../support/fakes/manual-scheduler';

const alice: Party = { userId: randomUUID(), username: 'alice', phoneNumber: '+14155550101' };
const bob: Party = { userId: randomUUID(), username: 'bob', phoneNumber: '+14155550102' };
const carol: Party = { userId: randomUUID(), username: 'carol', phoneNumber: '+14155550103' };

function liveCall(caller: Party, callee: Party, at: Date): Call {
  const call = Call.start(randomUUID() as CallId, { ...caller, channelId: randomUUID() }, callee.username, at);
  call.callee = callee;
  return call;
}

describe('call operations: listing live calls', function () {
  const store = new InMemoryCallStore();
  const time = new ManualTime();
  const manager = new CallStateManager({
    switchControl: new FakeSwitch(),
    directory: { findByUsername: () => Promise.resolve(undefined), findByDialed: () => Promise.resolve(undefined) },
    connections: { connectionsOf: () => Promise.resolve([]) },
    store,
    clock: time,
    scheduler: time,
    log: silentLogger,
    ringTimeoutSeconds: 30,
  });
  const directory = { findByUsername: (username: string) => Promise.resolve([alice, bob, carol].find((party) => party.username === username)) };
  const operations = new CallOperations(store, manager, new FakeSwitch(), { find: () => Promise.resolve(undefined) }, directory);
  const aliceToBob = liveCall(alice, bob, new Date('2026-11-25T10:00:01Z'));
  const carolToAlice = liveCall(carol, alice, new Date('2026-11-25T10:00:00Z'));

  before(async function () {
    await store.save(aliceToBob);
    await store.save(carolToAlice);
  });

  it('given a user id or a username, then that user\'s calls as caller or callee come back, oldest first', async function () {
    for (const user of [alice.userId, alice.userId.toUpperCase(), 'alice']) {
      expect((await operations.list({ user })).map((view) => view.id), user).to.deep.equal([carolToAlice.id, aliceToBob.id]);
    }
    expect((await operations.list({ user: 'bob' })).map((view) => view.id)).to.deep.equal([aliceToBob.id]);
  });

  it('given a user nobody has, then no calls; given no user, then every live call', async function () {
    expect(await operations.list({ user: 'nobody' })).to.deep.equal([]);
    expect(await operations.list({ user: randomUUID() })).to.deep.equal([]);
    expect(await operations.list()).to.have.length(2);
  });
});
