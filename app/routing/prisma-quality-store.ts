import { applyOnce } from '../shared/infra/jetstream';
import { type Database } from '../shared/infra/prisma';
import { type BatchRun, type QualityStore, type StoredBatch } from './ports';
import { type Contribution } from './quality/contributions';
import { type QualityCounters } from './quality/counters';
import { type MinuteRow, type QualityRow } from './quality/quality-book';

const STATE_ID = 1;
const BATCH_ROWS = 5000;
const BATCH_TIMEOUT_MS = 120_000;

// The counters as the tables keep them (BIGINT sums arrive as bigint).
type CounterColumns = {
  attempts: number;
  answered: number;
  talk_ms: bigint | number;
  pdd_count: number;
  pdd_ms: bigint | number;
  media_count: number;
  mes_count: number;
  mes_milli: bigint | number;
  jitter_micros: bigint | number;
  rx_packets: bigint | number;
  lost_packets: bigint | number;
};
type MinuteColumns = CounterColumns & { carrier_id: string; prefix: string; minute: Date; updated_at: Date };

const countersOf = (row: CounterColumns): QualityCounters => ({
  attempts: row.attempts,
  answered: row.answered,
  talkMs: Number(row.talk_ms),
  pddCount: row.pdd_count,
  pddMs: Number(row.pdd_ms),
  mediaCount: row.media_count,
  mesCount: row.mes_count,
  mesMilli: Number(row.mes_milli),
  jitterMicros: Number(row.jitter_micros),
  rxPackets: Number(row.rx_packets),
  lostPackets: Number(row.lost_packets),
});

const minuteRowOf = (row: MinuteColumns): MinuteRow => ({ carrierId: row.carrier_id, prefix: row.prefix, minute: row.minute.getTime(), counters: countersOf(row) });

// One array per column, for INSERT ... SELECT FROM unnest(...): a fixed number of parameters
// however many rows.
function columnsOf(rows: ReadonlyArray<{ carrierId: string; prefix: string; counters: QualityCounters }>) {
  const big = (pick: (c: QualityCounters) => number): string[] => rows.map((r) => String(Math.round(pick(r.counters))));
  const int = (pick: (c: QualityCounters) => number): number[] => rows.map((r) => Math.round(pick(r.counters)));
  return {
    carrierIds: rows.map((r) => r.carrierId),
    prefixes: rows.map((r) => r.prefix),
    attempts: int((c) => c.attempts),
    answered: int((c) => c.answered),
    talkMs: big((c) => c.talkMs),
    pddCount: int((c) => c.pddCount),
    pddMs: big((c) => c.pddMs),
    mediaCount: int((c) => c.mediaCount),
    mesCount: int((c) => c.mesCount),
    mesMilli: big((c) => c.mesMilli),
    jitterMicros: big((c) => c.jitterMicros),
    rxPackets: big((c) => c.rxPackets),
    lostPackets: big((c) => c.lostPackets),
  };
}

const MINUTE_COLUMNS = 'carrier_id, prefix, minute, attempts, answered, talk_ms, pdd_count, pdd_ms, media_count, mes_count, mes_milli, jitter_micros, rx_packets, lost_packets, updated_at';

// Both layers' figures in PostgreSQL: the batch (rows + watermark) and the speed minutes.
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

  async applyOnce(consumer: string, eventId: string, minute: Date, contributions: readonly Contribution[]): Promise<MinuteRow[] | undefined> {
    let written: MinuteRow[] = [];
    const applied = await applyOnce(this.db, consumer, eventId, async (tx) => {
      const c = columnsOf(contributions);
      const rows = await tx.$queryRaw<MinuteColumns[]>`
        INSERT INTO routing_quality_minutes AS m (carrier_id, prefix, minute, attempts, answered, talk_ms, pdd_count, pdd_ms, media_count, mes_count, mes_milli, jitter_micros, rx_packets, lost_packets, updated_at)
        SELECT u.carrier_id, u.prefix, ${minute}::timestamptz, u.attempts, u.answered, u.talk_ms, u.pdd_count, u.pdd_ms, u.media_count, u.mes_count, u.mes_milli, u.jitter_micros, u.rx_packets, u.lost_packets, now()
        FROM unnest(${c.carrierIds}::text[], ${c.prefixes}::text[], ${c.attempts}::int[], ${c.answered}::int[], ${c.talkMs}::bigint[], ${c.pddCount}::int[],
          ${c.pddMs}::bigint[], ${c.mediaCount}::int[], ${c.mesCount}::int[], ${c.mesMilli}::bigint[], ${c.jitterMicros}::bigint[], ${c.rxPackets}::bigint[], ${c.lostPackets}::bigint[])
          AS u(carrier_id, prefix, attempts, answered, talk_ms, pdd_count, pdd_ms, media_count, mes_count, mes_milli, jitter_micros, rx_packets, lost_packets)
        ON CONFLICT (carrier_id, prefix, minute) DO UPDATE SET
          attempts = m.attempts + EXCLUDED.attempts, answered = m.answered + EXCLUDED.answered, talk_ms = m.talk_ms + EXCLUDED.talk_ms,
          pdd_count = m.pdd_count + EXCLUDED.pdd_count, pdd_ms = m.pdd_ms + EXCLUDED.pdd_ms, media_count = m.media_count + EXCLUDED.media_count,
          mes_count = m.mes_count + EXCLUDED.mes_count, mes_milli = m.mes_milli + EXCLUDED.mes_milli, jitter_micros = m.jitter_micros + EXCLUDED.jitter_micros,
          rx_packets = m.rx_packets + EXCLUDED.rx_packets, lost_packets = m.lost_packets + EXCLUDED.lost_packets, updated_at = now()
        RETURNING m.carrier_id, m.prefix, m.minute, m.attempts, m.answered, m.talk_ms, m.pdd_count, m.pdd_ms, m.media_count, m.mes_count, m.mes_milli, m.jitter_micros, m.rx_packets, m.lost_packets, m.updated_at`;
      written = rows.map(minuteRowOf);
    });
    return applied ? written : undefined;
  }

  async pruneMinutes(before: Date): Promise<number> {
    return this.db.$executeRaw`DELETE FROM routing_quality_minutes WHERE minute < ${before}`;
  }
}
