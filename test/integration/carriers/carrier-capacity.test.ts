import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { RedisCarrierCapacity } from '../../../app/carriers';
import { silentLogger } from '../../../app/shared/infra/logger';
import { connectRedis, type Redis } from '../../../app/shared/infra/redis';
import { testEnv } from '../../support/test-env';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// Two controller instances: two RedisCarrierCapacity objects over the same Redis.
describe('integration: carrier call slots in Redis, shared by controller instances', function () {
  let redis: Redis;
  let keyPrefix: string;
  const carrier = 'carrier-a';
  const leg = (): string => randomUUID();

  before(async function () {
    redis = await connectRedis(testEnv.redisUrl, silentLogger);
  });

  beforeEach(function () {
    keyPrefix = `test-slots:${randomUUID().slice(0, 8)}:`;
  });

  afterEach(async function () {
    await redis.del(`${keyPrefix}${carrier}`);
  });

  after(async function () {
    await redis.quit();
  });

  it('given two controllers sharing a limit of 2, then a third call is refused by either until one slot is released', async function () {
    const first = new RedisCarrierCapacity(redis, { keyPrefix });
    const second = new RedisCarrierCapacity(redis, { keyPrefix });
    const firstLeg = leg();
    expect(await first.tryAcquire(carrier, firstLeg, 2)).to.equal(true);
    expect(await second.tryAcquire(carrier, leg(), 2)).to.equal(true);
    expect(await first.tryAcquire(carrier, leg(), 2)).to.equal(false);
    expect(await second.tryAcquire(carrier, leg(), 2)).to.equal(false);
    expect(await second.active(carrier)).to.equal(2);
    await first.release(carrier, firstLeg);
    expect(await second.tryAcquire(carrier, leg(), 2)).to.equal(true);
    expect(await first.active(carrier)).to.equal(2);
  });

  it('given 20 controllers racing for 5 slots, then exactly 5 calls get one', async function () {
    const instances = Array.from({ length: 20 }, () => new RedisCarrierCapacity(redis, { keyPrefix }));
    const taken = await Promise.all(instances.map((instance) => instance.tryAcquire(carrier, leg(), 5)));
    expect(taken.filter(Boolean)).to.have.length(5);
  });

  it('given a controller that crashed holding both slots, then another controller gets a slot once they expire, not before', async function () {
    const crashed = new RedisCarrierCapacity(redis, { keyPrefix, slotTtlSeconds: 1 });
    const survivor = new RedisCarrierCapacity(redis, { keyPrefix, slotTtlSeconds: 1 });
    expect(await crashed.tryAcquire(carrier, leg(), 2)).to.equal(true);
    expect(await crashed.tryAcquire(carrier, leg(), 2)).to.equal(true);
    expect(await survivor.tryAcquire(carrier, leg(), 2)).to.equal(false);
    await sleep(1200);
    expect(await survivor.active(carrier)).to.equal(0);
    expect(await survivor.tryAcquire(carrier, leg(), 2)).to.equal(true);
  });

  it('given a busy carrier, then a leaked slot still expires: acquiring other slots does not keep it alive', async function () {
    const capacity = new RedisCarrierCapacity(redis, { keyPrefix, slotTtlSeconds: 1 });
    expect(await capacity.tryAcquire(carrier, 'leaked-leg', 2)).to.equal(true);
    for (let i = 0; i < 4; i += 1) {
      await sleep(300);
      const busy = leg();
      expect(await capacity.tryAcquire(carrier, busy, 2)).to.equal(true);
      await capacity.release(carrier, busy);
    }
    expect(await redis.zScore(`${keyPrefix}${carrier}`, 'leaked-leg')).to.equal(null);
  });

  it('given legs that hold their slots again (a restarted controller, a keep-alive), then they are kept beyond the first expiry, even over the limit, and a leg never takes two slots', async function () {
    const capacity = new RedisCarrierCapacity(redis, { keyPrefix, slotTtlSeconds: 1 });
    const kept = leg();
    expect(await capacity.tryAcquire(carrier, kept, 1)).to.equal(true);
    expect(await capacity.tryAcquire(carrier, kept, 1), 'the same leg again').to.equal(true);
    expect(await capacity.active(carrier)).to.equal(1);
    await sleep(700);
    await capacity.hold([{ carrierId: carrier, legId: kept }, { carrierId: carrier, legId: 'adopted-over-the-limit' }]);
    await sleep(700);
    expect(await capacity.active(carrier)).to.equal(2);
    expect(await capacity.tryAcquire(carrier, leg(), 2)).to.equal(false);
  });
});
