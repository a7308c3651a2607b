import { ACQUIRE_EXPIRING_SLOT, HOLD_EXPIRING_SLOT } from '../shared/infra/expiring-slots';
import { type Redis } from '../shared/infra/redis';
import { type CallCounters } from './ports';

// Each user's call slots are a sorted set of the calls holding them (shared/infra/expiring-slots.ts),
// as carriers' slots are (app/carriers/redis-carrier-capacity.ts).

// Counts one more unless `max` are counted already; the key lives two of its windows.
const COUNT_UNDER = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count >= tonumber(ARGV[1]) then return 0 end
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

export interface RedisCallCountersOptions {
  // How long a slot lasts unless held again (the controller's keep-alive holds live calls' slots
  // again every 10 minutes; a call that ends gives its slot back at once, whichever controller ends it).
  slotTtlSeconds?: number;
  keyPrefix?: string;
}

export class RedisCallCounters implements CallCounters {
  private readonly ttlMs: number;
  private readonly prefix: string;

  constructor(
    private readonly redis: Redis,
    options: RedisCallCountersOptions = {},
  ) {
    this.ttlMs = (options.slotTtlSeconds ?? 30 * 60) * 1000;
    this.prefix = options.keyPrefix ?? 'policy:';
  }

  async tryAcquire(kind: 'all' | 'pstn', userId: string, callId: string, max: number): Promise<boolean> {
    return (await this.redis.eval(ACQUIRE_EXPIRING_SLOT, { keys: [this.slotKey(kind, userId)], arguments: [callId, String(max), String(this.ttlMs)] })) === 1;
  }

  async release(kind: 'all' | 'pstn', userId: string, callId: string): Promise<void> {
    await this.redis.zRem(this.slotKey(kind, userId), callId);
  }

  async hold(slots: { kind: 'all' | 'pstn'; userId: string; callId: string }[]): Promise<void> {
    if (slots.length === 0) return;
    const multi = this.redis.multi();
    for (const slot of slots) multi.eval(HOLD_EXPIRING_SLOT, { keys: [this.slotKey(slot.kind, slot.userId)], arguments: [slot.callId, String(this.ttlMs)] });
    await multi.execAsPipeline();
  }

  async tryCountHourly(userId: string, max: number, at: Date): Promise<boolean> {
    const key = `${this.prefix}pstn-hour:${userId}:${Math.floor(at.getTime() / HOUR_MS)}`;
    return (await this.redis.eval(COUNT_UNDER, { keys: [key], arguments: [String(max), String(2 * HOUR_MS)] })) === 1;
  }

  async countDestination(destination: string, at: Date): Promise<number> {
    const key = `${this.prefix}dest-minute:${destination}:${Math.floor(at.getTime() / MINUTE_MS)}`;
    const [count] = (await this.redis.multi().incr(key).pExpire(key, 2 * MINUTE_MS).exec()) as unknown as [number, unknown];
    return Number(count);
  }

  // Slots held now (not expired), for tests and operators.
  async active(kind: 'all' | 'pstn', userId: string): Promise<number> {
    const now = Date.now();
    return this.redis.zCount(this.slotKey(kind, userId), now, '+inf');
  }

  private slotKey(kind: 'all' | 'pstn', userId: string): string {
    return `${this.prefix}slots:${kind}:${userId}`;
  }
}
