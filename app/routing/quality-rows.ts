import { type QualityCounters } from './quality/counters';
import { type MinuteRow } from './quality/quality-book';

// The quality tables' rows as both adapters read and write them (prisma-quality-store.ts for the
// batch and the refreshes, pg-speed-minutes.ts for the speed layer's write of every call).

// The counters as the tables keep them (BIGINT sums arrive as bigint).
export type CounterColumns = {
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
export type MinuteColumns = CounterColumns & { carrier_id: string; prefix: string; minute: Date; updated_at: Date };

export const countersOf = (row: CounterColumns): QualityCounters => ({
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

export const minuteRowOf = (row: MinuteColumns): MinuteRow => ({ carrierId: row.carrier_id, prefix: row.prefix, minute: row.minute.getTime(), counters: countersOf(row) });

// One array per column, for INSERT ... SELECT FROM unnest(...): a fixed number of parameters
// however many rows.
export function columnsOf(rows: ReadonlyArray<{ carrierId: string; prefix: string; counters: QualityCounters }>) {
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

export const MINUTE_COLUMNS = 'carrier_id, prefix, minute, attempts, answered, talk_ms, pdd_count, pdd_ms, media_count, mes_count, mes_milli, jitter_micros, rx_packets, lost_packets, updated_at';
