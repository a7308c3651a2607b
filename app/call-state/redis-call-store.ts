import { RESP_TYPES } from 'redis';
import { type PublishableEvent } from '../shared/events';
import { outboxKey, toOutboxEntry } from '../shared/infra/outbox';
import { type Logger } from '../shared/infra/logger';
import { type Redis, withinTimeout } from '../shared/infra/redis';
import { errorMessage } from '../shared/kernel';
import { Call } from './call';
import { CorruptCallStateError, decodeCall, encodeCall } from './call-codec';
import { type CallStore } from './ports';
import { restoreState } from './states';

export interface RedisCallStoreOptions {
  // Whose outbox list the events go to (the instance that drains it publishes them).
  instanceId: string;
  // Safety net for calls nobody ends (a controller died and no other took over): Redis forgets
  // them after this long without a save or touch. Live calls are touched well within it.
  ttlSeconds?: number;
  keyPrefix?: string;
  // Where liveCalls() reports a stored call it cannot read (and skips).
  log?: Logger;
  // Called after events were queued, so the publisher sends them now rather than at its next poll.
  onEventsQueued?: () => void;
  // A save or delete (MULTI/EXEC) not answered in this long fails (unset: never).
  writeTimeoutMs?: number;
}

const SIX_HOURS = 6 * 3600;
const BATCH = 1000;
// Replaces a value only if it is still the one read (compare-and-set), keeping its time to live.
const REPLACE_IF_UNCHANGED = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
return 1`;

// Live calls in Redis, one key per call (`<prefix><callId>`) holding the binary form of
// call-codec.ts, so any controller instance can read any call. Every write carries its events to the
// outbox in the same MULTI/EXEC.
// No per-user index: one cost about 120 bytes a call (481 B in all instead of 358 B, against the
// design's 400 B), paid by every call for the operators' listing by user, which reads every live
// call instead (about 20 ms per 1,000 live calls).
export class RedisCallStore implements CallStore {
  private readonly ttlSeconds: number;
  private readonly keyPrefix: string;
  private readonly outbox: string;
  // The same connection, replying with Buffers: stored values are binary.
  private readonly binary;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisCallStoreOptions,
  ) {
    this.ttlSeconds = options.ttlSeconds ?? SIX_HOURS;
    this.keyPrefix = options.keyPrefix ?? 'call:';
    this.outbox = outboxKey(options.instanceId);
    this.binary = redis.withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
  }

  async save(call: Call, events: PublishableEvent[] = []): Promise<void> {
    call.owner = this.options.instanceId;
    const multi = this.redis.multi().set(this.key(call.id), encodeCall(call.snapshot()), { expiration: { type: 'EX', value: this.ttlSeconds } });
    if (events.length > 0) multi.rPush(this.outbox, events.map(toOutboxEntry));
    await withinTimeout(multi.exec(), this.options.writeTimeoutMs, 'call save');
    if (events.length > 0) this.options.onEventsQueued?.();
  }

  // The stored value is compared as a whole, so a save by anyone in between makes the claim fail.
  async claim(callId: string, owner: string | undefined): Promise<Call | undefined> {
    const value = await this.binary.get(this.key(callId));
    if (value === null) return undefined;
    const call = this.restore(value, callId);
    if (call.owner !== owner) return undefined;
    call.owner = this.options.instanceId;
    const replaced = await this.binary.eval(REPLACE_IF_UNCHANGED, { keys: [this.key(callId)], arguments: [value, encodeCall(call.snapshot())] });
    return replaced === 1 ? call : undefined;
  }

  async get(callId: string): Promise<Call | undefined> {
    const value = await this.binary.get(this.key(callId));
    return value === null ? undefined : this.restore(value, callId);
  }

  async delete(call: Call, events: PublishableEvent[] = []): Promise<void> {
    const multi = this.redis.multi().del(this.key(call.id));
    if (events.length > 0) multi.rPush(this.outbox, events.map(toOutboxEntry));
    await withinTimeout(multi.exec(), this.options.writeTimeoutMs, 'call delete');
    if (events.length > 0) this.options.onEventsQueued?.();
  }

  // Every live call of every instance. A key that expired or was deleted between SCAN and MGET is
  // simply not there; a value that cannot be read is logged and skipped, so one bad key cannot stop
  // a restarted controller from taking over the others.
  async liveCalls(): Promise<Call[]> {
    const keys = new Set<string>(); // SCAN may return a key twice
    for await (const batch of this.redis.scanIterator({ MATCH: `${globEscape(this.keyPrefix)}*`, COUNT: BATCH })) {
      for (const key of batch) keys.add(key);
    }
    const all = [...keys];
    const calls: Call[] = [];
    for (let start = 0; start < all.length; start += BATCH) {
      const batch = all.slice(start, start + BATCH);
      const values = await this.binary.mGet(batch);
      values.forEach((value, i) => {
        const key = batch[i] ?? '';
        if (value === null) return;
        try {
          calls.push(this.restore(value, key.slice(this.keyPrefix.length)));
        } catch (error) {
          this.options.log?.warn('unreadable live call skipped', { key, error: errorMessage(error) });
        }
      });
    }
    return calls;
  }

  async liveCallsOf(userId: string): Promise<Call[]> {
    return (await this.liveCalls()).filter((call) => call.caller.userId === userId || call.callee?.userId === userId);
  }

  // Refreshes the TTL of calls still going on; a call already gone stays gone.
  async touch(calls: Call[]): Promise<void> {
    for (let start = 0; start < calls.length; start += BATCH) {
      const multi = this.redis.multi();
      for (const call of calls.slice(start, start + BATCH)) {
        multi.expire(this.key(call.id), this.ttlSeconds);
      }
      await multi.execAsPipeline();
    }
  }

  private key(callId: string): string {
    return `${this.keyPrefix}${callId}`;
  }

  private restore(value: Buffer, callId: string): Call {
    const snapshot = decodeCall(value);
    try {
      return Call.restore(snapshot, restoreState(snapshot.state, snapshot));
    } catch (error) {
      throw new CorruptCallStateError('inconsistent state', { callId }, { cause: error });
    }
  }
}

// The prefix is matched literally, not as a pattern.
const globEscape = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');
