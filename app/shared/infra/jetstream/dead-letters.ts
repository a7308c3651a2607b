import { type JetStreamManager, type StoredMsg } from 'nats';
import { Gauge, type Registry } from 'prom-client';
import { type z } from 'zod';
import { deadLetterSubject, STREAMS } from '../../events';
import { errorMessage } from '../../kernel';
import { type Logger } from '../logger';
import { type DeadLetter, type DeliveryMeta } from './consumer-runner';

// A dead letter as operators see it: where it is kept (id: its sequence in DEAD_LETTERS) and why.
export interface DeadLetterEntry extends DeadLetter {
  id: string;
}

export interface DeadLetterSelection {
  consumer?: string;
  // DEAD_LETTERS sequences (DeadLetterEntry.id); unset: every dead letter of the selection.
  ids?: string[];
}

export interface ReplayOutcome {
  replayed: number;
  failed: Array<{ id: string; consumer: string; reason: string }>;
}

// What the admin API needs (GET /v1/dead-letters, POST /v1/dead-letters/replay).
export interface DeadLetterAdmin {
  list(selection: DeadLetterSelection & { limit?: number }): Promise<DeadLetterEntry[]>;
  replay(selection: DeadLetterSelection): Promise<ReplayOutcome>;
}

// How a consumer's dead letter is applied again: the consumer's own schema and single-event handler.
export interface ReplayTarget {
  schema: z.ZodType<unknown>;
  handle: (event: never, meta: DeliveryMeta) => Promise<void>;
}

const STREAM = STREAMS.deadLetters.name;
const matches = (subject: string, filter: string): boolean => (filter.endsWith('>') ? subject.startsWith(filter.slice(0, -1)) : subject === filter);
const ALL = deadLetterSubject('>');
// Most dead letters read, or replayed, per request.
export const DEAD_LETTERS_PAGE_MAX = 1000;

// Dead letters in the DEAD_LETTERS stream, listed and replayed. A replay gives the original event
// to the consumer's own handler in this process (not to the stream again: the other consumers
// applied it already), and deletes the dead letter only once that handler committed. Consumers
// apply an event once per event id (processed marks, ON CONFLICT), so replaying twice, or a
// dead letter whose event was applied meanwhile, changes nothing.
export class JetStreamDeadLetters implements DeadLetterAdmin {
  private readonly waiting: Gauge<'consumer'>;

  constructor(
    private readonly deps: { jsm: JetStreamManager; targets: Record<string, ReplayTarget>; log: Logger; metrics: Registry },
  ) {
    this.waiting = new Gauge({ name: 'dead_letters_waiting', help: 'Dead letters waiting for a replay, per consumer', labelNames: ['consumer'], registers: [deps.metrics] });
  }

  async list(selection: DeadLetterSelection & { limit?: number } = {}): Promise<DeadLetterEntry[]> {
    const limit = Math.min(Math.max(1, selection.limit ?? 100), DEAD_LETTERS_PAGE_MAX);
    const subject = selection.consumer ? deadLetterSubject(selection.consumer) : ALL;
    const wanted = selection.ids ? new Set(selection.ids) : undefined;
    const info = await this.deps.jsm.streams.info(STREAM, { subjects_filter: subject });
    let left = Object.values(info.state.subjects ?? {}).reduce((sum, count) => sum + count, 0);
    const entries: DeadLetterEntry[] = [];
    // Read by sequence (dead letters are few; a replayed one leaves a gap, skipped).
    for (let seq = info.state.first_seq; left > 0 && seq <= info.state.last_seq && entries.length < limit; seq += 1) {
      const stored = await this.storedAt(seq);
      if (!stored || !matches(stored.subject, subject)) continue;
      left -= 1;
      const id = String(seq);
      if (wanted && !wanted.has(id)) continue;
      try {
        entries.push({ ...stored.json<DeadLetter>(), id });
      } catch (error) {
        this.deps.log.warn('unreadable dead letter skipped', { id, error: errorMessage(error) });
      }
    }
    return entries;
  }

  async replay(selection: DeadLetterSelection = {}): Promise<ReplayOutcome> {
    const outcome: ReplayOutcome = { replayed: 0, failed: [] };
    for (const letter of await this.list({ ...selection, limit: DEAD_LETTERS_PAGE_MAX })) {
      const reason = await this.replayOne(letter);
      if (reason === undefined) outcome.replayed += 1;
      else outcome.failed.push({ id: letter.id, consumer: letter.consumer, reason });
    }
    if (outcome.replayed > 0 || outcome.failed.length > 0) this.deps.log.info('dead letters replayed', { replayed: outcome.replayed, failed: outcome.failed.length, consumer: selection.consumer });
    await this.refreshWaiting().catch((error: unknown) => this.deps.log.warn('dead letters not counted', { error: errorMessage(error) }));
    return outcome;
  }

  // The dead letters waiting, per consumer, into dead_letters_waiting; an error log (the alarm)
  // while any wait. Returns the total.
  async refreshWaiting(): Promise<number> {
    const info = await this.deps.jsm.streams.info(STREAM, { subjects_filter: ALL });
    const counts = new Map<string, number>(Object.keys(this.deps.targets).map((consumer) => [consumer, 0]));
    for (const [subject, count] of Object.entries(info.state.subjects ?? {})) counts.set(subject.slice(deadLetterSubject('').length), count);
    let total = 0;
    for (const [consumer, count] of counts) {
      this.waiting.set({ consumer }, count);
      total += count;
    }
    if (total > 0) this.deps.log.error('dead letters waiting for a replay', { total, perConsumer: Object.fromEntries([...counts].filter(([, count]) => count > 0)) });
    return total;
  }

  private async storedAt(seq: number): Promise<StoredMsg | undefined> {
    try {
      return await this.deps.jsm.streams.getMessage(STREAM, { seq });
    } catch (error) {
      // Deleted (replayed) or aged out: a gap in the sequence.
      if (/no message found/i.test(errorMessage(error))) return undefined;
      throw error;
    }
  }

  // undefined once applied and deleted; otherwise why it stays.
  private async replayOne(letter: DeadLetterEntry): Promise<string | undefined> {
    const target = this.deps.targets[letter.consumer];
    if (!target) return 'no replay handler for this consumer';
    let event: unknown;
    try {
      event = target.schema.parse(JSON.parse(letter.data));
    } catch (error) {
      return `still unreadable: ${errorMessage(error)}`;
    }
    try {
      await target.handle(event as never, { subject: letter.subject, deliveryCount: letter.deliveries + 1, streamSeq: letter.streamSeq });
    } catch (error) {
      return errorMessage(error);
    }
    await this.deps.jsm.streams.deleteMessage(STREAM, Number(letter.id), false);
    return undefined;
  }
}
