import { type Clock } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type BatchRun, type CallRecordSource, type QualityStore } from './ports';
import { addCounters, emptyCounters, keyOf } from './quality/counters';
import { contributionsOf, MINUTE_MS, minuteOf } from './quality/contributions';
import { type QualityRow } from './quality/quality-book';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface BatchSettings {
  historyDays: number;
  lagMinutes: number;
  // Speed minutes older than this (and than the watermark) are deleted after a run.
  horizonMs: number;
}

export interface BatchResult extends BatchRun {
  rows: number;
  // false when another run had already stored a later watermark.
  saved: boolean;
  prunedMinutes: number;
}

// The batch layer: recomputes every carrier's quality sums from the call records of the history
// window, [watermark - historyDays, watermark), with the same contributionsOf as the speed layer,
// and stores them with their watermark in one transaction. Safe to run anywhere, any time: a run
// never replaces figures of a later watermark.
export class QualityBatch {
  constructor(
    private readonly source: CallRecordSource,
    private readonly store: QualityStore,
    private readonly clock: Clock,
    private readonly settings: BatchSettings,
    private readonly log: Logger,
  ) {}

  async run(): Promise<BatchResult> {
    const started = this.clock.now();
    const watermark = new Date(minuteOf(new Date(started.getTime() - this.settings.lagMinutes * MINUTE_MS)));
    const since = new Date(watermark.getTime() - this.settings.historyDays * DAY_MS);
    const sums = new Map<string, QualityRow>();
    let records = 0;
    for await (const page of this.source.outboundCalls(since, watermark)) {
      for (const call of page) {
        records += 1;
        for (const { carrierId, prefix, counters } of contributionsOf(call)) {
          const key = keyOf(carrierId, prefix);
          let row = sums.get(key);
          if (!row) sums.set(key, (row = { carrierId, prefix, counters: emptyCounters() }));
          addCounters(row.counters, counters);
        }
      }
    }
    const run: BatchRun = { since, watermark, records, computedAt: started, durationMs: 0 };
    run.durationMs = this.clock.now().getTime() - started.getTime();
    const rows = [...sums.values()];
    const saved = await this.store.saveBatch(run, rows);
    const pruneBefore = new Date(Math.min(watermark.getTime(), started.getTime() - this.settings.horizonMs));
    const prunedMinutes = saved ? await this.store.pruneMinutes(pruneBefore) : 0;
    this.log.info(saved ? 'routing batch stored' : 'routing batch superseded by a later one', {
      watermark: watermark.toISOString(),
      since: since.toISOString(),
      records,
      rows: rows.length,
      prunedMinutes,
      durationMs: run.durationMs,
    });
    return { ...run, rows: rows.length, saved, prunedMinutes };
  }
}
