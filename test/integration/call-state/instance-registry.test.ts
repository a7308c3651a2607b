import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { RedisInstanceRegistry } from '../../../app/call-state';
import { silentLogger } from '../../../app/shared/infra/logger';
import { connectRedis, type Redis } from '../../../app/shared/infra/redis';
import { testEnv } from '../../support/test-env';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('integration: controller instances in Redis', function () {
  let redis: Redis;
  let keyPrefix: string;
  const registries: RedisInstanceRegistry[] = [];
  const registry = (instanceId: string): RedisInstanceRegistry => {
    const created = new RedisInstanceRegistry(redis, { instanceId, log: silentLogger, heartbeatMs: 20, keyPrefix });
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
    previousLife.startHeartbeat(() => new Date('2026-11-25T10:00:03.000Z'));
    await sleep(100);
    previousLife.stop();

    const restarted = registry('controller-7');
    const events: { seenAt?: Date } = {};
    restarted.startHeartbeat(() => events.seenAt);
    await sleep(100);
    expect(await restarted.eventsSeenAt('controller-7')).to.deep.equal(new Date('2026-11-25T10:00:03.000Z'));

    events.seenAt = new Date('2026-11-25T11:00:00.000Z');
    await sleep(100);
    expect(await registry('controller-8').eventsSeenAt('controller-7')).to.deep.equal(events.seenAt);
    expect(await redis.ttl(`${keyPrefix}controller-7:events-seen`)).to.be.greaterThan(3600);
    expect(await restarted.eventsSeenAt('never-ran')).to.equal(undefined);
  });
});
