import { type Database } from '../shared/infra/prisma';
import { type BatchRun, type QualityStore, type StoredBatch } from './ports';
import { type MinuteRow, type QualityRow } from './quality/quality-book';
import { columnsOf, type CounterColumns, countersOf, MINUTE_COLUMNS, type MinuteColumns, minuteRowOf } from './quality-rows';

const STATE_ID = 1;
const BATCH_ROWS = 5000;
const BATCH_TIMEOUT_MS = 120_000;

// Both layers' figures in PostgreSQL: the batch (rows + watermark) and the speed minutes (read and
// pruned here; added to, once per call, by pg-speed-minutes.ts).
export class PrismaQualityStore implements QualityStore {
  constructor(private readonly db: Database) {}

  async batchRun(): Promise<BatchRun | undefined> {
    const state = await this.db.routingBatchState.findUnique({ where: { id: STATE_ID } });
    return state ? { since: state.since, watermark: state.watermark, records: state.records, computedAt: state.computedAt, durationMs: state.durationMs } : undefined;
  }

  async loadBatch(): Promise<StoredBatch | undefined> {
    // One snapshot: the rows and the watermark they belong to.
    return this.db.$transaction(
      async (tx) => {
        const state = await tx.routingBatchState.findUnique({ where: { id: STATE_ID } });
        if (!state) return undefined;
        const rows = await tx.$queryRaw<Array<CounterColumns & { carrier_id: string; prefix: string }>>`SELECT * FROM routing_quality_batch`;
        return {
          since: state.since,
          watermark: state.watermark,
          records: state.records,
          computedAt: state.computedAt,
          durationMs: state.durationMs,
          rows: rows.map((row): QualityRow => ({ carrierId: row.carrier_id, prefix: row.prefix, counters: countersOf(row) })),
        };
      },
      { isolationLevel: 'RepeatableRead', timeout: 60_000 },
    );
  }

  async saveBatch(run: BatchRun, rows: readonly QualityRow[]): Promise<boolean> {
    return this.db.$transaction(
      async (tx) => {
        await tx.$executeRaw`INSERT INTO routing_batch_state (id, since, watermark, records, computed_at, duration_ms)
          VALUES (${STATE_ID}, to_timestamp(0), to_timestamp(0), 0, to_timestamp(0), 0) ON CONFLICT (id) DO NOTHING`;
        const [current] = await tx.$queryRaw<Array<{ watermark: Date }>>`SELECT watermark FROM routing_batch_state WHERE id = ${STATE_ID} FOR UPDATE`;
        if (current && current.watermark.getTime() > run.watermark.getTime()) return false;
        await tx.$executeRaw`DELETE FROM routing_quality_batch`;
        for (let start = 0; start < rows.length; start += BATCH_ROWS) {
          const c = columnsOf(rows.slice(start, start + BATCH_ROWS));
          await tx.$executeRaw`
            INSERT INTO routing_quality_batch (carrier_id, prefix, attempts, answered, talk_ms, pdd_count, pdd_ms, media_count, mes_count, mes_milli, jitter_micros, rx_packets, lost_packets)
            SELECT * FROM unnest(${c.carrierIds}::text[], ${c.prefixes}::text[], ${c.attempts}::int[], ${c.answered}::int[], ${c.talkMs}::bigint[], ${c.pddCount}::int[],
              ${c.pddMs}::bigint[], ${c.mediaCount}::int[], ${c.mesCount}::int[], ${c.mesMilli}::bigint[], ${c.jitterMicros}::bigint[], ${c.rxPackets}::bigint[], ${c.lostPackets}::bigint[])`;
        }
        await tx.routingBatchState.update({
          where: { id: STATE_ID },
          data: { since: run.since, watermark: run.watermark, records: run.records, computedAt: run.computedAt, durationMs: run.durationMs },
        });
        return true;
      },
      { timeout: BATCH_TIMEOUT_MS, maxWait: 10_000 },
    );
  }

  async minutesFrom(minute: Date): Promise<MinuteRow[]> {
    const rows = await this.db.$queryRawUnsafe<MinuteColumns[]>(`SELECT ${MINUTE_COLUMNS} FROM routing_quality_minutes WHERE minute >= $1`, minute);
    return rows.map(minuteRowOf);
  }

  async minutesChangedSince(since: Date): Promise<{ rows: MinuteRow[]; latest?: Date }> {
    const rows = await this.db.$queryRawUnsafe<MinuteColumns[]>(`SELECT ${MINUTE_COLUMNS} FROM routing_quality_minutes WHERE updated_at >= $1`, since);
    let latest: Date | undefined;
    for (const row of rows) if (!latest || row.updated_at > latest) latest = row.updated_at;
    return { rows: rows.map(minuteRowOf), ...(latest ? { latest } : {}) };
  }

  async pruneMinutes(before: Date): Promise<number> {
    return this.db.$executeRaw`DELETE FROM routing_quality_minutes WHERE minute < ${before}`;
  }
}
