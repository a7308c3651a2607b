import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { InstanceIdInUseError, RedisInstanceRegistry } from '../../../app/call-state';
import { silentLogger } from '../../../app/shared/infra/logger';
import { connectRedis, type Redis } from '../../../app/shared/infra/redis';
import { testEnv } from '../../support/test-env';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('integration: controller instances in Redis', function () {
  let redis: Redis;
  let keyPrefix: string;
  const registries: RedisInstanceRegistry[] = [];
  const registry = (instanceId: string, leaseTtlMs = 600): RedisInstanceRegistry => {
    const created = new RedisInstanceRegistry(redis, { instanceId, log: silentLogger, heartbeatMs: 20, leaseTtlMs, keyPrefix });
    registries.push(created);
    return created;
  };

  before(async function () {
    redis = await connectRedis(testEnv.redisUrl, silentLogger);
  });

  beforeEach(function () {
    keyPrefix = `test-controller:${randomUUID().slice(0, 8)}:`;
  });

  afterEach(async function () {
    for (const created of registries.splice(0)) created.stop();
    for await (const keys of redis.scanIterator({ MATCH: `${keyPrefix}*` })) if (keys.length > 0) await redis.del(keys);
  });

  after(async function () {
    await redis.quit();
  });

  it('given a restarted instance not yet connected to the switch, then its previous heartbeat stays readable; once connected, another instance reads when its events were last seen', async function () {
    const previousLife = registry('controller-7');
    await previousLife.acquireLease();
    previousLife.start(() => new Date('2026-11-25T10:00:03.000Z'), () => expect.fail('lease lost'));
    await sleep(100);
    previousLife.stop(); // killed: its lease runs out by itself

    const restarted = registry('controller-7');
    await restarted.acquireLease();
    const events: { seenAt?: Date } = {};
    restarted.start(() => events.seenAt, () => expect.fail('lease lost'));
    await sleep(100);
    expect(await restarted.eventsSeenAt('controller-7')).to.deep.equal(new Date('2026-11-25T10:00:03.000Z'));

    events.seenAt = new Date('2026-11-25T11:00:00.000Z');
    await sleep(100);
    expect(await registry('controller-8').eventsSeenAt('controller-7')).to.deep.equal(events.seenAt);
    expect(await redis.ttl(`${keyPrefix}controller-7:events-seen`)).to.be.greaterThan(3600);
    expect(await restarted.eventsSeenAt('never-ran')).to.equal(undefined);
  });

  it('given a running instance, when another process starts on the same instance id, then it is refused with a clear error once the lease has not come free', async function () {
    const running = registry('controller-1');
    await running.acquireLease();
    running.start(() => undefined, () => expect.fail('lease lost'));
    const started = Date.now();
    const error = await registry('controller-1').acquireLease().then(
      () => expect.fail('a second holder'),
      (caught: unknown) => caught,
    );
    expect(error).to.be.instanceOf(InstanceIdInUseError);
    expect((error as Error).message).to.match(/^INSTANCE_ID 'controller-1' is in use by another running controller \(pid \d+ on host .+\); give each instance its own INSTANCE_ID$/);
    expect(Date.now() - started, 'waited for the lease to expire').to.be.at.least(600);
    expect(await registry('observer').isRunning('controller-1')).to.equal(true);
  });

  it('given the holder stops gracefully, then its id is free at once; given it crashed (SIGKILL), then the id is free once its lease expires', async function () {
    const graceful = registry('controller-2', 60_000);
    await graceful.acquireLease();
    await graceful.releaseLease();
    const next = registry('controller-2', 60_000);
    const started = Date.now();
    await next.acquireLease();
    expect(Date.now() - started).to.be.below(500);

    const crashed = registry('controller-3', 400);
    await crashed.acquireLease(); // and never renewed
    const successor = registry('controller-3', 400);
    const waited = Date.now();
    await successor.acquireLease();
    expect(Date.now() - waited).to.be.within(200, 1000);
    expect(await registry('observer').isRunning('controller-3')).to.equal(true);
    await sleep(600);
    expect(await registry('observer').isRunning('controller-3'), 'a lease nobody renews').to.equal(false);
  });

  it('given another process took the lease (this one was cut off from Redis past its expiry), then this instance is told to stop', async function () {
    const instance = registry('controller-5', 60_000);
    await instance.acquireLease();
    const lost = new Promise<void>((resolve) => instance.start(() => undefined, resolve));
    await redis.set(`${keyPrefix}controller-5:lease`, JSON.stringify({ token: 'other', host: 'elsewhere', pid: 1, since: '2026-11-25T10:00:00.000Z' }));
    await lost;
  });
});
