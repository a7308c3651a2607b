import { addCounters, emptyCounters, keyOf, type QualityCounters } from './counters';
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

const HALF_MINUTE_MS = 30_000;

// The merged view of both layers, in memory, for routing decisions:
//   history(key) = batch(key) + sum of the speed minutes at or after the batch watermark
//   recent(key)  = the speed minutes, weighted by age (half-life), for a sliding window
// Minute rows are replaced, not added: re-reading a row (from this instance's consumer or from
// another instance's, through the database) never counts it twice.
export class QualityBook {
  private batch = new Map<string, QualityCounters>();
  private watermark = Number.NEGATIVE_INFINITY;
  private readonly minutes = new Map<string, Map<number, QualityCounters>>();
  private speed = new Map<string, QualityCounters>();
  private readonly recent = new Map<string, DecayingCounters>();

  constructor(
    private readonly halfLifeMs: number,
    // Minutes older than this (and than the watermark) no longer matter and are dropped.
    private readonly horizonMs: number = 8 * halfLifeMs,
  ) {}

  get batchWatermark(): number {
    return this.watermark;
  }

  setBatch(figures: BatchFigures): void {
    this.batch = new Map(figures.rows.map((row) => [keyOf(row.carrierId, row.prefix), row.counters]));
    this.watermark = figures.watermark;
    this.speed = new Map<string, QualityCounters>();
    for (const [key, byMinute] of this.minutes) {
      for (const [minute, counters] of byMinute) if (minute >= this.watermark) addCounters(this.speedOf(key), counters);
    }
  }

  putMinute(row: MinuteRow): void {
    const key = keyOf(row.carrierId, row.prefix);
    let byMinute = this.minutes.get(key);
    if (!byMinute) this.minutes.set(key, (byMinute = new Map<number, QualityCounters>()));
    const previous = byMinute.get(row.minute);
    byMinute.set(row.minute, row.counters);
    if (row.minute >= this.watermark) {
      const speed = this.speedOf(key);
      if (previous) addCounters(speed, previous, -1);
      addCounters(speed, row.counters);
    }
    let recent = this.recent.get(key);
    if (!recent) this.recent.set(key, (recent = new DecayingCounters(this.halfLifeMs)));
    const at = row.minute + HALF_MINUTE_MS;
    if (previous) recent.add(previous, at, -1);
    recent.add(row.counters, at);
  }

  // Batch + speed: every call up to now (within the batch's history).
  history(carrierId: string, prefix: string): QualityCounters {
    const key = keyOf(carrierId, prefix);
    const total = emptyCounters();
    const batch = this.batch.get(key);
    const speed = this.speed.get(key);
    if (batch) addCounters(total, batch);
    if (speed) addCounters(total, speed);
    return total;
  }

  recentAt(carrierId: string, prefix: string, nowMs: number): QualityCounters {
    return this.recent.get(keyOf(carrierId, prefix))?.valueAt(nowMs) ?? emptyCounters();
  }

  prune(nowMs: number): void {
    const before = Math.min(this.watermark, nowMs - this.horizonMs);
    for (const [key, byMinute] of this.minutes) {
      for (const minute of byMinute.keys()) if (minute < before) byMinute.delete(minute);
      if (byMinute.size === 0) this.minutes.delete(key);
    }
  }

  private speedOf(key: string): QualityCounters {
    let speed = this.speed.get(key);
    if (!speed) this.speed.set(key, (speed = emptyCounters()));
    return speed;
  }
}
