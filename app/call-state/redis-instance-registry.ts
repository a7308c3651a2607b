import { type Logger } from '../shared/infra/logger';
import { type Redis } from '../shared/infra/redis';
import { errorMessage } from '../shared/kernel';
import { type InstanceRegistry } from './ports';

export interface RedisInstanceRegistryOptions {
  // This controller instance.
  instanceId: string;
  log: Logger;
  // How often the heartbeat is written: the most talk time a restart can leave unbilled.
  heartbeatMs?: number;
  keyPrefix?: string;
}

// A heartbeat outlives its instance by this long, so that a controller restarted after a long
// outage still knows when its calls were last seen (live calls expire after 6 h).
const HEARTBEAT_TTL_SECONDS = 24 * 3600;

// Every controller instance's heartbeat in Redis (`<prefix><instanceId>:events-seen`, epoch ms): the
// last moment its switch events were known to arrive. It is written only once the instance's event
// connection has been up, so a restarted instance reads its previous life's value in recover().
export class RedisInstanceRegistry implements InstanceRegistry {
  private readonly keyPrefix: string;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisInstanceRegistryOptions,
  ) {
    this.keyPrefix = options.keyPrefix ?? 'controller:';
  }

  async eventsSeenAt(instanceId: string): Promise<Date | undefined> {
    const value = await this.redis.get(this.heartbeatKey(instanceId));
    const ms = value === null ? NaN : Number(value);
    return Number.isFinite(ms) ? new Date(ms) : undefined;
  }

  // Writes this instance's heartbeat from now on: eventsSeenAt() is when its events were last known
  // to arrive (now while connected), undefined before its first connection.
  startHeartbeat(eventsSeenAt: () => Date | undefined): void {
    this.stop();
    this.timer = setInterval(() => {
      const seen = eventsSeenAt();
      if (!seen) return;
      this.redis
        .set(this.heartbeatKey(this.options.instanceId), String(seen.getTime()), { expiration: { type: 'EX', value: HEARTBEAT_TTL_SECONDS } })
        .catch((error: unknown) => this.options.log.warn('heartbeat not written', { error: errorMessage(error) }));
    }, this.options.heartbeatMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private heartbeatKey(instanceId: string): string {
    return `${this.keyPrefix}${instanceId}:events-seen`;
  }
}
