import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { RESP_TYPES } from 'redis';
import { Call, CallStateManager, RedisCallStore, RedisInstanceRegistry } from '../../../app/call-state';
import { decodeCall, encodeCall } from '../../../app/call-state/call-codec';
import { silentLogger } from '../../../app/shared/infra/logger';
import { connectRedis, type Redis } from '../../../app/shared/infra/redis';
import { type CallId, systemClock, systemScheduler } from '../../../app/shared/kernel';
import { FakeSwitch } from '../../support/fakes/fake-switch';
import { testEnv } from '../../support/test-env';

const t0 = new Date('2026-11-25T10:00:00.000Z');

function answeredCall(): Call {
  const id = randomUUID();
  const call = Call.start(id as CallId, { userId: randomUUID(), username: 'alice', phoneNumber: '+14155550101', channelId: `${id}-caller` }, 'bob', t0);
  call.callee = { userId: randomUUID(), username: 'bob', phoneNumber: '+14155550102' };
  call.apply((state) => state.route(), t0);
  call.legs.push({ channelId: `${id}-leg`, contactUri: 'sip:bob@10.0.0.1:5062', state: { name: 'answered' } });
  call.apply((state) => state.answer(`${id}-leg`), t0);
  return call;
}

// Controllers over one real Redis: call keys and instance keys under this test's own prefixes.
describe('integration: which calls a restarted controller takes over', function () {
  let redis: Redis;
  let callPrefix: string;
  let instancePrefix: string;
  const registries: RedisInstanceRegistry[] = [];

  const storeOf = (instanceId: string): RedisCallStore => new RedisCallStore(redis, { instanceId, keyPrefix: callPrefix, ttlSeconds: 600 });
  const registryOf = (instanceId: string): RedisInstanceRegistry => {
    const registry = new RedisInstanceRegistry(redis, { instanceId, log: silentLogger, keyPrefix: instancePrefix, leaseTtlMs: 60_000 });
    registries.push(registry);
    return registry;
  };
  const controller = (instanceId: string, ownCallsOnly = false): CallStateManager =>
    new CallStateManager({
      ownCallsOnly,
      switchControl: new FakeSwitch(),
      directory: { findByUsername: () => Promise.resolve(undefined), findByDialed: () => Promise.resolve(undefined) },
      connections: { connectionsOf: () => Promise.resolve([]) },
      store: storeOf(instanceId),
      clock: systemClock,
      scheduler: systemScheduler,
      log: silentLogger,
      ringTimeoutSeconds: 30,
      instanceId,
      instances: registryOf(instanceId),
    });

  before(async function () {
    redis = await connectRedis(testEnv.redisUrl, silentLogger);
  });

  beforeEach(function () {
    const run = randomUUID().slice(0, 8);
    callPrefix = `test-call:${run}:`;
    instancePrefix = `test-controller:${run}:`;
  });

  afterEach(async function () {
    for (const registry of registries.splice(0)) await registry.releaseLease();
    for (const prefix of [callPrefix, instancePrefix]) {
      for await (const keys of redis.scanIterator({ MATCH: `${prefix}*` })) if (keys.length > 0) await redis.del(keys);
    }
  });

  after(async function () {
    await redis.quit();
  });

  it('given calls of this instance, of a running instance, of a stopped one and one saved before owners were recorded, then recover takes over all but the running instance\'s, and records itself as their owner', async function () {
    const [own, ofRunning, ofStopped, legacy] = [answeredCall(), answeredCall(), answeredCall(), answeredCall()];
    await storeOf('controller-1').save(own);
    await storeOf('controller-2').save(ofRunning);
    await registryOf('controller-2').acquireLease();
    await storeOf('controller-3').save(ofStopped);
    const version3 = Buffer.from(encodeCall({ ...legacy.snapshot(), owner: undefined }).subarray(0, -1));
    version3[0] = 3;
    await redis.set(`${callPrefix}${legacy.id}`, version3);

    const manager = controller('controller-1');
    await registryOf('controller-1').acquireLease();
    expect(await manager.recover()).to.equal(3);
    expect([own, ofRunning, ofStopped, legacy].map((call) => manager.ownsCall(call.id))).to.deep.equal([true, false, true, true]);
    const ownerOf = async (call: Call): Promise<string | undefined> => decodeCall((await redis.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer }).get(`${callPrefix}${call.id}`)) as Buffer).owner;
    expect(await Promise.all([own, ofRunning, ofStopped, legacy].map(ownerOf))).to.deep.equal(['controller-1', 'controller-2', 'controller-1', 'controller-1']);
  });

  it('given two controllers starting at once over the calls of a stopped one, then each call is taken over by exactly one of them', async function () {
    const orphans = Array.from({ length: 20 }, () => answeredCall());
    for (const call of orphans) await storeOf('controller-9').save(call);
    const [first, second] = [controller('controller-1'), controller('controller-2')];
    await Promise.all([registryOf('controller-1').acquireLease(), registryOf('controller-2').acquireLease()]);
    const [a, b] = await Promise.all([first.recover(), second.recover()]);
    expect(a + b).to.equal(20);
    for (const call of orphans) expect(Number(first.ownsCall(call.id)) + Number(second.ownsCall(call.id)), call.id).to.equal(1);
  });

  it('given a controller of one fleet node (its own calls only), then it takes over its own calls but not those of a stopped peer, which live on another Asterisk', async function () {
    const [own, ofStoppedPeer] = [answeredCall(), answeredCall()];
    await storeOf('node-1').save(own);
    await storeOf('node-2').save(ofStoppedPeer);
    const manager = controller('node-1', true);
    await registryOf('node-1').acquireLease();
    expect(await manager.recover()).to.equal(1);
    expect([own, ofStoppedPeer].map((call) => manager.ownsCall(call.id))).to.deep.equal([true, false]);
  });
});
