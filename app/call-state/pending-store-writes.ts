import { type PublishableEvent } from '../shared/events';
import { type Logger } from '../shared/infra/logger';
import { AppError, type Cancel, errorMessage, type Scheduler } from '../shared/kernel';
import { type Call } from './call';
import { CorruptCallStateError, UnencodableCallError } from './call-codec-errors';
import { type CallStore } from './ports';

// The store refused a write (Redis down or slow) that must not wait: a new call is refused rather
// than driven with nothing kept of it.
export class CallStoreUnavailableError extends AppError {
  constructor(callId: string, cause?: unknown) {
    super('CALL_STATE.STORE_UNAVAILABLE', 'the live call store is unavailable', 'unavailable', { callId }, { cause });
  }
}

interface PendingWrite {
  call: Call;
  events: PublishableEvent[];
  // The call ended: its key is deleted (with its last events) rather than saved.
  removed: boolean;
}

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 2_000;

// Writes of live calls the store refused, kept in order per call and written again until the store
// takes them. Without this, a call that ends while Redis is down would lose its call.v1.ended event
// (never billed, invoiced or recorded) and a timer's rejected write would end the controller. Once
// a call has a write waiting, its later writes queue behind it, so its events keep their order. A
// write that can never succeed (a call the codec cannot encode) is not retried: it is thrown.
export class PendingStoreWrites {
  private readonly pending = new Map<string, PendingWrite>();
  private retry: Cancel | undefined;
  private failures = 0;
  private flushing = false;

  constructor(
    private readonly store: CallStore,
    private readonly scheduler: Scheduler,
    private readonly log: Logger,
  ) {}

  // Calls with a write waiting (0 when the store is known to work).
  get size(): number {
    return this.pending.size;
  }

  // mustPersist: the write is refused at once (CallStoreUnavailableError) if the store does not take
  // it now; it is still kept, so the call's later end publishes both its events in order.
  async save(call: Call, events: PublishableEvent[], options: { mustPersist?: boolean } = {}): Promise<void> {
    const waiting = this.pending.get(call.id);
    if (waiting) {
      waiting.events.push(...events);
      if (options.mustPersist) throw new CallStoreUnavailableError(call.id);
      return;
    }
    if (options.mustPersist && this.pending.size > 0) {
      // The store is known to be down: no need to wait for a timeout to say so.
      this.defer({ call, events, removed: false });
      throw new CallStoreUnavailableError(call.id);
    }
    try {
      await this.store.save(call, events);
    } catch (error) {
      if (!isTransient(error)) throw error;
      this.deferAfter(error, { call, events, removed: false });
      if (options.mustPersist) throw new CallStoreUnavailableError(call.id, error);
    }
  }

  async remove(call: Call, events: PublishableEvent[]): Promise<void> {
    const waiting = this.pending.get(call.id);
    if (waiting) {
      waiting.events.push(...events);
      waiting.removed = true;
      return;
    }
    try {
      await this.store.delete(call, events);
    } catch (error) {
      if (!isTransient(error)) throw error;
      this.deferAfter(error, { call, events, removed: true });
    }
  }

  // Writes what waits now (the retry timer does it on its own); resolves once a round is over.
  async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    this.retry?.();
    this.retry = undefined;
    try {
      for (const [callId, entry] of this.pending) {
        // Events queued while a write is on its way go in the next one.
        while (this.pending.get(callId) === entry) {
          const events = entry.events.slice();
          const removed = entry.removed;
          if (removed) await this.store.delete(entry.call, events);
          else await this.store.save(entry.call, events);
          entry.events.splice(0, events.length);
          if (entry.events.length === 0 && entry.removed === removed) this.pending.delete(callId);
        }
      }
      if (this.failures > 0) this.log.info('live call store writes caught up', { afterFailures: this.failures });
      this.failures = 0;
    } catch (error) {
      this.failures += 1;
      if (this.failures === 1 || this.failures % 20 === 0) this.log.warn('live call store still refuses writes', { calls: this.pending.size, error: errorMessage(error) });
    } finally {
      this.flushing = false;
      this.schedule();
    }
  }

  private deferAfter(error: unknown, write: PendingWrite): void {
    this.log.warn('live call store write failed: kept to retry', { callId: write.call.id, removed: write.removed, error: errorMessage(error) });
    this.defer(write);
  }

  private defer(write: PendingWrite): void {
    this.pending.set(write.call.id, write);
    this.schedule();
  }

  private schedule(): void {
    if (this.pending.size === 0 || this.retry || this.flushing) return;
    const delay = Math.min(RETRY_MIN_MS * 2 ** this.failures, RETRY_MAX_MS);
    this.retry = this.scheduler.after(delay, () => {
      this.retry = undefined;
      void this.flush();
    });
  }
}

// Encoding errors come back the same however often the write is tried.
const isTransient = (error: unknown): boolean => !(error instanceof UnencodableCallError || error instanceof CorruptCallStateError);
