import { type JetStreamClient } from 'nats';
import { type EventPublisher, type PublishableEvent } from '../../events';
import { errorMessage } from '../../kernel';
import { type Logger } from '../logger';
import { type OutboxEntry, outboxFenceKey, outboxKey, parseOutboxEntry, toOutboxEntry } from './outbox-entry';
import { type Redis } from '../redis';

export const malformedOutboxKey = (instanceId: string): string => `${outboxKey(instanceId)}:malformed`;

export interface OutboxPublisherOptions {
  redis: Redis;
  js: JetStreamClient;
  // One drainer per instance id: only this publisher removes entries from its list.
  instanceId: string;
  log: Logger;
  // Entries read and published concurrently per round.
  batchSize?: number;
  // How often an idle publisher looks for entries appended by other writers (publish() and
  // wake() wake it at once).
  idlePollMs?: number;
  // How long to wait for JetStream's PubAck before the entry counts as not published.
  publishTimeoutMs?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
}

// skipped: not tried, because an earlier entry with the same key failed in this round.
type Outcome = { kind: 'published' } | { kind: 'malformed'; reason: string } | { kind: 'failed'; error: unknown; entry: OutboxEntry } | { kind: 'skipped' };

const encoder = new TextEncoder();
// Removes the published prefix (and moves malformed entries aside) only if the fencing token is
// still the one read with the entries: else the list was adopted (or the lease taken again) in
// between and its head is no longer what was published. KEYS: outbox, fence, malformed list;
// ARGV: token read ('' if none), prefix length, malformed entries. -1 when fenced, else the
// entries left (0: the publisher goes idle without one more read of an empty list).
const TRIM_IF_UNFENCED = `
if (redis.call('GET', KEYS[2]) or '') ~= ARGV[1] then return -1 end
if #ARGV > 2 then redis.call('RPUSH', KEYS[3], unpack(ARGV, 3)) end
redis.call('LTRIM', KEYS[1], tonumber(ARGV[2]), -1)
return redis.call('LLEN', KEYS[1])`;
const VALID_SUBJECT = /^[^\s*>]+$/;

// Publishes the outbox to JetStream: reads the head of `outbox:{instanceId}` in batches,
// publishes each entry with its event id as message id, and removes only the prefix JetStream has
// acknowledged. A failure keeps the entry at the head and is retried with a capped backoff, for
// ever: an event accepted by publish() is never dropped. Entries published before a failure that
// are published again are dropped by the stream's duplicate window. Within a batch, the entries of
// one call (same key) go one after the other and stop at the first failure, so none of a call's
// events can reach the stream before an earlier one; different calls go in parallel.
export class OutboxPublisher implements EventPublisher {
  private readonly key: string;
  private readonly fenceKey: string;
  private readonly malformedKey: string;
  private readonly batchSize: number;
  private readonly idlePollMs: number;
  private readonly publishTimeoutMs: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeRequested = false;
  private interruptSleep: ((reason: 'wake' | 'stop') => void) | undefined;

  constructor(private readonly options: OutboxPublisherOptions) {
    this.key = outboxKey(options.instanceId);
    this.fenceKey = outboxFenceKey(options.instanceId);
    this.malformedKey = malformedOutboxKey(options.instanceId);
    this.batchSize = options.batchSize ?? 64;
    this.idlePollMs = options.idlePollMs ?? 25;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5000;
    this.retryInitialMs = options.retryInitialMs ?? 100;
    this.retryMaxMs = options.retryMaxMs ?? 5000;
  }

  async publish(event: PublishableEvent): Promise<void> {
    await this.options.redis.rPush(this.key, toOutboxEntry(event));
    this.wake();
  }

  // For writers that append to the outbox in their own Redis transaction: publish without
  // waiting for the next poll.
  wake(): void {
    this.wakeRequested = true;
    this.interruptSleep?.('wake');
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  // Stops after the current round; entries not yet acknowledged stay in Redis for the next start.
  async stop(): Promise<void> {
    this.running = false;
    this.interruptSleep?.('stop');
    await this.loop;
    this.loop = undefined;
  }

  async pending(): Promise<number> {
    return this.options.redis.lLen(this.key);
  }

  // Resolves true once every entry has been acknowledged by JetStream, false on timeout.
  async drained(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.pending()) === 0) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, Math.min(20, this.idlePollMs)));
    }
  }

  private async run(): Promise<void> {
    const log = this.options.log;
    let failures = 0;
    while (this.running) {
      this.wakeRequested = false;
      let removed = 0;
      let left: number | undefined;
      let failure: { error: unknown; subject?: string; id?: string } | undefined;
      try {
        ({ removed, left, failure } = await this.round());
      } catch (error) {
        failure = { error };
      }
      if (failure) {
        failures += 1;
        const delayMs = Math.min(this.retryInitialMs * 2 ** (failures - 1), this.retryMaxMs);
        log.warn('outbox publish failed, will retry', { error: errorMessage(failure.error), subject: failure.subject, eventId: failure.id, attempt: failures, retryInMs: delayMs });
        await this.sleep(delayMs, false);
        continue;
      }
      if (failures > 0) log.info('outbox publishing again', { afterAttempts: failures });
      failures = 0;
      // Idle when nothing was there, or when the trim left nothing (a wake() since then says otherwise).
      if ((removed === 0 || left === 0) && !this.wakeRequested) await this.sleep(this.idlePollMs, true);
    }
  }

  // One batch: publish the head of the list, then remove the acknowledged (or malformed) prefix.
  private async round(): Promise<{ removed: number; left?: number; failure?: { error: unknown; subject: string; id: string } }> {
    const { redis, log } = this.options;
    // The entries and the fencing token they were read under, in one step.
    const [fence, raws] = (await redis.multi().get(this.fenceKey).lRange(this.key, 0, this.batchSize - 1).exec()) as unknown as [string | null, string[]];
    if (raws.length === 0) return { removed: 0 };
    const outcomes = await this.publishInKeyOrder(raws);

    let prefix = 0;
    const malformed: string[] = [];
    const failed = outcomes.find((outcome): outcome is Extract<Outcome, { kind: 'failed' }> => outcome.kind === 'failed');
    const failure = failed && { error: failed.error, subject: failed.entry.subject, id: failed.entry.id };
    for (const [index, outcome] of outcomes.entries()) {
      if (outcome.kind === 'failed' || outcome.kind === 'skipped') break;
      if (outcome.kind === 'malformed') {
        const raw = raws[index] ?? '';
        log.warn('malformed outbox entry moved aside', { reason: outcome.reason, entry: raw.slice(0, 200), to: this.malformedKey });
        malformed.push(raw);
      }
      prefix += 1;
    }
    if (prefix > 0) {
      // Only this publisher removes from the head while its instance holds the lease, and writers
      // only append, so unless the token moved the first `prefix` entries are the ones published.
      const trimmed = Number(await redis.eval(TRIM_IF_UNFENCED, { keys: [this.key, this.fenceKey, this.malformedKey], arguments: [fence ?? '', String(prefix), ...malformed] }));
      if (trimmed === -1) {
        // Adopted by another instance meanwhile: it publishes them (the stream's duplicate window
        // drops what both sent); the head is read again.
        log.warn('outbox fenced: adopted by another instance while publishing, nothing removed', { entries: prefix });
        return { removed: 0, failure };
      }
      return { removed: prefix, left: trimmed, failure };
    }
    return { removed: prefix, failure };
  }

  // One chain per key, in list order (entries without a key form one chain together).
  private async publishInKeyOrder(raws: string[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    const chains = new Map<string, { index: number; entry: OutboxEntry }[]>();
    raws.forEach((raw, index) => {
      const parsed = this.parse(raw);
      if ('kind' in parsed) {
        outcomes[index] = parsed;
        return;
      }
      const key = parsed.key ?? '';
      chains.set(key, [...(chains.get(key) ?? []), { index, entry: parsed }]);
    });
    await Promise.all(
      [...chains.values()].map(async (chain) => {
        let blocked = false;
        for (const { index, entry } of chain) {
          outcomes[index] = blocked ? { kind: 'skipped' } : await this.publishOne(entry);
          blocked ||= outcomes[index].kind === 'failed';
        }
      }),
    );
    return outcomes;
  }

  private parse(raw: string): OutboxEntry | Extract<Outcome, { kind: 'malformed' }> {
    let entry: OutboxEntry;
    try {
      entry = parseOutboxEntry(raw);
    } catch (error) {
      return { kind: 'malformed', reason: errorMessage(error) };
    }
    if (!VALID_SUBJECT.test(entry.subject)) return { kind: 'malformed', reason: 'invalid subject' };
    if (entry.id.length === 0) return { kind: 'malformed', reason: 'empty event id' };
    return entry;
  }

  private async publishOne(entry: OutboxEntry): Promise<Outcome> {
    try {
      const ack = await this.options.js.publish(entry.subject, encoder.encode(entry.data), { msgID: entry.id, timeout: this.publishTimeoutMs });
      if (ack.duplicate) this.options.log.debug('outbox entry was already in the stream', { subject: entry.subject, eventId: entry.id, seq: ack.seq });
      return { kind: 'published' };
    } catch (error) {
      return { kind: 'failed', error, entry };
    }
  }

  // Waits ms; stop() always ends the wait early, wake() only when the loop is idle (a retry
  // backoff is not shortened by new entries).
  private sleep(ms: number, wakeable: boolean): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.interruptSleep = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.interruptSleep = (reason) => {
        if (reason === 'stop' || wakeable) done();
      };
    });
  }
}
