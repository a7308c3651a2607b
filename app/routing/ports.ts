import { type RateInput } from '../rating';
import { type RetailRate } from './cost/tariff-cost';
import { type CallOutcome, type Contribution } from './quality/contributions';
import { type MinuteRow, type QualityRow } from './quality/quality-book';
import { type CarrierInfo } from './route-engine';

// ---- Carriers and their rate decks (the carriers and carrier_rates tables; the carriers module
// owns carriers, routing owns the decks' import).

export interface DeckVersion {
  carrierId: string;
  version: number;
  rates: number;
}

export interface CarrierStore {
  // Every carrier, deleted ones included (flagged).
  listCarriers(): Promise<CarrierInfo[]>;
  findCarrier(carrierId: string): Promise<CarrierInfo | undefined>;
  deckVersions(): Promise<DeckVersion[]>;
  // Streams a carrier's whole deck, in prefix order; resolves to the rows read.
  readDeck(carrierId: string, onRate: (rate: RateInput) => void): Promise<number>;
  // Replaces the carrier's whole deck in one transaction and bumps its version: calls see the old
  // deck or the new one, never a mix. undefined when the carrier does not exist (or is deleted).
  replaceDeck(carrierId: string, rates: Iterable<RateInput>, options: { timeoutMs: number }): Promise<DeckVersion | undefined>;
}

// ---- The quality figures of both layers.

export interface BatchRun {
  since: Date;
  // On a minute: calls that ended before it are in the batch.
  watermark: Date;
  records: number;
  computedAt: Date;
  durationMs: number;
}

export interface StoredBatch extends BatchRun {
  rows: QualityRow[];
}

// The speed layer's write, on every ended outbound call (plain SQL in production:
// pg-speed-minutes.ts).
export interface SpeedMinutes {
  // Adds one call's contributions to its minute rows, once per event id (consumer, eventId), in one
  // transaction; the rows' new sums, or undefined when the event was applied before.
  applyOnce(consumer: string, eventId: string, minute: Date, contributions: readonly Contribution[]): Promise<MinuteRow[] | undefined>;
}

export interface QualityStore {
  loadBatch(): Promise<StoredBatch | undefined>;
  batchRun(): Promise<BatchRun | undefined>;
  // Replaces the batch figures and their run in one transaction; false (nothing written) when a
  // batch with a later watermark is already stored.
  saveBatch(run: BatchRun, rows: readonly QualityRow[]): Promise<boolean>;
  // The speed layer's minute rows from this minute on.
  minutesFrom(minute: Date): Promise<MinuteRow[]>;
  // Minute rows changed at or after `since` (another instance's consumer wrote them), and the
  // latest change time seen.
  minutesChangedSince(since: Date): Promise<{ rows: MinuteRow[]; latest?: Date }>;
  // Deletes minute rows before this minute.
  pruneMinutes(before: Date): Promise<number>;
}

// ---- The call logs, for the batch layer.

export interface CallRecordSource {
  // Outbound calls that ended in [since, until), a page at a time.
  outboundCalls(since: Date, until: Date): AsyncIterable<CallOutcome[]>;
}

// ---- The retail price (billing).

export interface RetailPrices {
  // The caller's retail price for a PSTN destination at that time; undefined when the caller's
  // plan does not price it. Read-only.
  retailRateOf(userId: string, destination: string, at: Date): Promise<RetailRate | undefined>;
}
