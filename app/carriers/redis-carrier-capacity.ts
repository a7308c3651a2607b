import { type Redis } from '../shared/infra/redis';

// Take a slot only if one is free, in one step (no two controllers both take the last slot).
const ACQUIRE = `
local active = tonumber(redis.call('GET', KEYS[1]) or '0')
if active >= tonumber(ARGV[1]) then return 0 end
redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return 1`;
const RELEASE = `
local active = tonumber(redis.call('GET', KEYS[1]) or '0')
if active > 0 then redis.call('DECR', KEYS[1]) end
return 1`;

// Concurrent calls per carrier, counted in Redis so every controller instance sees the same count.
// The key expires a day after its last use: a count left wrong by a crash heals itself.
export class RedisCarrierCapacity {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds = 24 * 3600,
  ) {}

  async tryAcquire(carrierId: string, max: number): Promise<boolean> {
    const taken = await this.redis.eval(ACQUIRE, { keys: [this.key(carrierId)], arguments: [String(max), String(this.ttlSeconds)] });
    return taken === 1;
  }

  async release(carrierId: string): Promise<void> {
    await this.redis.eval(RELEASE, { keys: [this.key(carrierId)], arguments: [] });
  }

  async active(carrierId: string): Promise<number> {
    return Number((await this.redis.get(this.key(carrierId))) ?? 0);
  }

  private key(carrierId: string): string {
    return `carrier:active:${carrierId}`;
  }
}
