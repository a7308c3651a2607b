import { ACQUIRE_EXPIRING_SLOT, HOLD_EXPIRING_SLOT } from '../shared/infra/expiring-slots';
import { type Redis } from '../shared/infra/redis';

// Each carrier's call slots are a sorted set of the legs holding them (shared/infra/expiring-slots.ts).
const ACTIVE = `
local now = redis.call('TIME')
return redis.call('ZCOUNT', KEYS[1], '(' .. (tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)), '+inf')`;

export interface CarrierSlot {
  carrierId: string;
  // The leg (channel id) holding the slot.
  legId: string;
}

export interface RedisCarrierCapacityOptions {
  // How long a slot lasts unless held again; live calls hold theirs again well within it.
  slotTtlSeconds?: number;
  keyPrefix?: string;
}

// Concurrent calls per carrier, counted in Redis so every controller instance sees the same count.
export class RedisCarrierCapacity {
  private readonly ttlMs: number;
  private readonly keyPrefix: string;

  constructor(
    private readonly redis: Redis,
    options: RedisCarrierCapacityOptions = {},
  ) {
    this.ttlMs = (options.slotTtlSeconds ?? 30 * 60) * 1000;
    this.keyPrefix = options.keyPrefix ?? 'carrier:slots:';
  }

  async tryAcquire(carrierId: string, legId: string, max: number): Promise<boolean> {
    const taken = await this.redis.eval(ACQUIRE_EXPIRING_SLOT, { keys: [this.key(carrierId)], arguments: [legId, String(max), String(this.ttlMs)] });
    return taken === 1;
  }

  async hold(slots: CarrierSlot[]): Promise<void> {
    if (slots.length === 0) return;
    const multi = this.redis.multi();
    for (const slot of slots) multi.eval(HOLD_EXPIRING_SLOT, { keys: [this.key(slot.carrierId)], arguments: [slot.legId, String(this.ttlMs)] });
    await multi.execAsPipeline();
  }

  async release(carrierId: string, legId: string): Promise<void> {
    await this.redis.zRem(this.key(carrierId), legId);
  }

  // Slots held now (not expired).
  async active(carrierId: string): Promise<number> {
    return Number(await this.redis.eval(ACTIVE, { keys: [this.key(carrierId)], arguments: [] }));
  }

  private key(carrierId: string): string {
    return `${this.keyPrefix}${carrierId}`;
  }
}
