import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type Logger } from '../logger';
import { type Redis } from '../redis';
import { AppError, errorMessage } from '../../kernel';
import { outboxFenceKey } from './outbox-entry';

export interface RedisInstanceRegistryOptions {
  // This controller instance.
  instanceId: string;
  log: Logger;
  // How often the heartbeat is written and the lease renewed: the heartbeat's period is the most
  // talk time a restart can leave unbilled.
  heartbeatMs?: number;
  // A lease not renewed for this long is free: how long a crashed instance's id stays taken (a
  // restart of it waits that long at most).
  leaseTtlMs?: number;
  keyPrefix?: string;
}

// Who holds an instance id's lease.
interface LeaseHolder {
  token: string;
  host: string;
  pid: number;
  since: string;
}

// Another running controller holds this instance id: two instances on one id would drain one outbox
// and drive the same calls.
export class InstanceIdInUseError extends AppError {
  constructor(instanceId: string, holder: Partial<LeaseHolder> | undefined) {
    super(
      'INSTANCE.ID_IN_USE',
      `INSTANCE_ID '${instanceId}' is in use by another running controller (pid ${holder?.pid ?? '?'} on host ${holder?.host ?? '?'}, since ${holder?.since ?? '?'}); give each instance its own INSTANCE_ID`,
      'conflict',
      { instanceId, holder },
    );
  }
}

// A heartbeat outlives its instance by this long, so that a controller restarted after a long
// outage still knows when its calls were last seen (live calls expire after 6 h).
const HEARTBEAT_TTL_SECONDS = 24 * 3600;
// Keeps the lease if it is still ours; takes it again if it expired and nobody else took it (a new
// acquisition: the outbox's fencing token, KEYS[2], moves on).
const RENEW = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if current then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('INCR', KEYS[2])
return 1`;
// Takes a free lease and moves the outbox's fencing token on, in one step; 0 if the lease is held.
const ACQUIRE = `
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
return redis.call('INCR', KEYS[2])`;
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// Controller instances in Redis. Each running instance holds a lease on its id
// (`<prefix><id>:lease`, renewed every heartbeat; released by a graceful stop, free `leaseTtlMs`
// after a crash), and a
// heartbeat (`<prefix><id>:events-seen`, epoch ms): the last moment its switch events were known to
// arrive. The heartbeat is written only once the instance's event connection has been up, so a
// restarted instance reads its previous life's value in recover().
export class RedisInstanceRegistry {
  private readonly keyPrefix: string;
  private readonly leaseTtlMs: number;
  private readonly holder: LeaseHolder;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisInstanceRegistryOptions,
  ) {
    this.keyPrefix = options.keyPrefix ?? 'controller:';
    this.leaseTtlMs = options.leaseTtlMs ?? 5_000;
    this.holder = { token: randomUUID(), host: hostname(), pid: process.pid, since: new Date().toISOString() };
  }

  // Takes the lease on this instance's id before the instance does anything under it. A lease still
  // held (by a live controller, or by one that crashed less than leaseTtlMs ago: the two cannot be
  // told apart safely) is waited for until it expires, then refused with InstanceIdInUseError.
  async acquireLease(): Promise<void> {
    const key = this.leaseKey(this.options.instanceId);
    const mine = JSON.stringify(this.holder);
    const deadline = Date.now() + this.leaseTtlMs + 1000;
    let waiting = false;
    for (;;) {
      const fence = Number(await this.redis.eval(ACQUIRE, { keys: [key, outboxFenceKey(this.options.instanceId)], arguments: [mine, String(this.leaseTtlMs)] }));
      if (fence > 0) return;
      const holder = parseHolder(await this.redis.get(key));
      if (Date.now() >= deadline) throw new InstanceIdInUseError(this.options.instanceId, holder);
      if (!waiting) this.options.log.info('instance id held: waiting for its lease to expire', { instanceId: this.options.instanceId, holder });
      waiting = true;
      await sleep(Math.min(250, this.leaseTtlMs / 4));
    }
  }

  async isRunning(instanceId: string): Promise<boolean> {
    return (await this.redis.exists(this.leaseKey(instanceId))) === 1;
  }

  async eventsSeenAt(instanceId: string): Promise<Date | undefined> {
    const value = await this.redis.get(this.heartbeatKey(instanceId));
    const ms = value === null ? NaN : Number(value);
    return Number.isFinite(ms) ? new Date(ms) : undefined;
  }

  // Every heartbeat period from now on: renews the lease (onLeaseLost when another process holds
  // it: this instance must stop) and writes the heartbeat: eventsSeenAt() is when the switch events
  // were last known to arrive (now while connected), undefined before the first connection.
  start(eventsSeenAt: () => Date | undefined, onLeaseLost: () => void): void {
    this.stop();
    const mine = JSON.stringify(this.holder);
    this.timer = setInterval(() => {
      void this.tick(mine, eventsSeenAt(), onLeaseLost);
    }, this.options.heartbeatMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  // Stops renewing and frees the id at once (a graceful stop: a successor need not wait).
  async releaseLease(): Promise<void> {
    this.stop();
    await this.redis.eval(RELEASE, { keys: [this.leaseKey(this.options.instanceId)], arguments: [JSON.stringify(this.holder)] });
  }

  private async tick(mine: string, seen: Date | undefined, onLeaseLost: () => void): Promise<void> {
    try {
      const multi = this.redis.multi().eval(RENEW, { keys: [this.leaseKey(this.options.instanceId), outboxFenceKey(this.options.instanceId)], arguments: [mine, String(this.leaseTtlMs)] });
      if (seen) multi.set(this.heartbeatKey(this.options.instanceId), String(seen.getTime()), { expiration: { type: 'EX', value: HEARTBEAT_TTL_SECONDS } });
      const [renewed] = await multi.exec();
      if (Number(renewed) === 0 && this.timer) {
        this.stop();
        this.options.log.error('lease lost to another process', { instanceId: this.options.instanceId });
        onLeaseLost();
      }
    } catch (error) {
      // Redis unreachable: the lease is renewed (or taken again) at the next tick that gets through.
      this.options.log.warn('lease and heartbeat not written', { error: errorMessage(error) });
    }
  }

  // The Redis key of that instance's lease (for RedisStrandedOutboxes).
  leaseKeyOf(instanceId: string): string {
    return this.leaseKey(instanceId);
  }

  private leaseKey(instanceId: string): string {
    return `${this.keyPrefix}${instanceId}:lease`;
  }

  private heartbeatKey(instanceId: string): string {
    return `${this.keyPrefix}${instanceId}:events-seen`;
  }
}

function parseHolder(value: string | null): LeaseHolder | undefined {
  if (value === null) return undefined;
  try {
    const parsed = JSON.parse(value) as Partial<LeaseHolder>;
    return typeof parsed.host === 'string' && typeof parsed.pid === 'number' && typeof parsed.token === 'string' && typeof parsed.since === 'string' ? (parsed as LeaseHolder) : undefined;
  } catch {
    // Not written by this code: treated as a live holder we cannot identify.
    return undefined;
  }
}
