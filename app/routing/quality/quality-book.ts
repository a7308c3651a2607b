import { CarrierPrefixMap } from './carrier-prefix-map';
import { addCounters, emptyCounters, type QualityCounters } from './counters';
import { DecayingCounters } from './decaying-counters';

export interface QualityRow {
  carrierId: string;
  prefix: string;
  counters: QualityCounters;
}

// The speed layer's sums of one carrier, prefix and minute (epoch ms of the minute's start).
export interface MinuteRow extends QualityRow {
  minute: number;
}

export interface BatchFigures {
  // Calls that ended before the watermark (epoch ms, on a minute) are in these rows.
  watermark: number;
  rows: QualityRow[];
}

// What the book knows of one carrier at one prefix, read by routing decisions in one lookup.
export interface KeyFigures {
  // Batch + speed minutes at or after the watermark. Read only.
  readonly merged: Readonly<QualityCounters>;
  // The speed minutes weighted by age, or undefined without any.
  readonly recent: DecayingCounters | undefined;
  // Grows with every minute row of this key (batches count in batchVersion).
  readonly changes: number;
}

interface KeyEntry extends KeyFigures {
  merged: QualityCounters;
  recent: DecayingCounters | undefined;
  minutes: Map<number, QualityCounters> | undefined;
  changes: number;
}

const HALF_MINUTE_MS = 30_000;
const NO_COUNTERS: Readonly<QualityCounters> = emptyCounters();

// The merged view of both layers, in memory, for routing decisions:
//   history(key) = batch(key) + sum of the speed minutes at or after the batch watermark
//   recent(key)  = the speed minutes, weighted by age (half-life), for a sliding window
// Minute rows are replaced, not added: re-reading a row (from this instance's consumer or from
// another instance's, through the database) never counts it twice. The merged history is kept
// up to date as rows arrive, so a routing decision reads it without adding anything up.
export class QualityBook {
  private readonly keys = new CarrierPrefixMap<KeyEntry>();
  private watermark = Number.NEGATIVE_INFINITY;
  private batchChanges = 0;

  constructor(
    private readonly halfLifeMs: number,
    // Minutes older than this (and than the watermark) no longer matter and are dropped.
    private readonly horizonMs: number = 8 * halfLifeMs,
  ) {}

  get batchWatermark(): number {
    return this.watermark;
  }

  setBatch(figures: BatchFigures): void {
    for (const [, , entry] of this.keys.entries()) entry.merged = emptyCounters();
    for (const row of figures.rows) addCounters(this.entryOf(row.carrierId, row.prefix).merged, row.counters);
    this.watermark = figures.watermark;
    for (const [, , entry] of this.keys.entries()) {
      for (const [minute, counters] of entry.minutes ?? []) if (minute >= this.watermark) addCounters(entry.merged, counters);
    }
    this.batchChanges += 1;
  }

  putMinute(row: MinuteRow): void {
    const entry = this.entryOf(row.carrierId, row.prefix);
    const minutes = (entry.minutes ??= new Map<number, QualityCounters>());
    const previous = minutes.get(row.minute);
    minutes.set(row.minute, row.counters);
    if (row.minute >= this.watermark) {
      if (previous) addCounters(entry.merged, previous, -1);
      addCounters(entry.merged, row.counters);
    }
    const recent = (entry.recent ??= new DecayingCounters(this.halfLifeMs));
    const at = row.minute + HALF_MINUTE_MS;
    if (previous) recent.add(previous, at, -1);
    recent.add(row.counters, at);
    entry.changes += 1;
  }

  // Grows with every batch: with the keys' changes, tells whether figures derived earlier are stale.
  get batchVersion(): number {
    return this.batchChanges;
  }

  // Everything known of the key (undefined: nothing), for the routing hot path. Read only.
  figuresOf(carrierId: string, prefix: string): KeyFigures | undefined {
    return this.keys.get(carrierId, prefix);
  }

  // Batch + speed: every call up to now (within the batch's history). Read only.
  history(carrierId: string, prefix: string): Readonly<QualityCounters> {
    return this.keys.get(carrierId, prefix)?.merged ?? NO_COUNTERS;
  }

  recentAt(carrierId: string, prefix: string, nowMs: number): QualityCounters {
    return this.keys.get(carrierId, prefix)?.recent?.valueAt(nowMs) ?? emptyCounters();
  }

  prune(nowMs: number): void {
    const before = Math.min(this.watermark, nowMs - this.horizonMs);
    for (const [, , entry] of this.keys.entries()) {
      if (!entry.minutes) continue;
      for (const minute of entry.minutes.keys()) if (minute < before) entry.minutes.delete(minute);
      if (entry.minutes.size === 0) entry.minutes = undefined;
    }
  }

  private entryOf(carrierId: string, prefix: string): KeyEntry {
    return this.keys.upsert(carrierId, prefix, () => ({ merged: emptyCounters(), recent: undefined, minutes: undefined, changes: 0 }));
  }
}
