import { applyOnceSql } from '../shared/infra/jetstream';
import { type Sql } from '../shared/infra/sql';
import { type SpeedMinutes } from './ports';
import { type Contribution } from './quality/contributions';
import { type MinuteRow } from './quality/quality-book';
import { columnsOf, type MinuteColumns, minuteRowOf } from './quality-rows';

// One call's contributions added to its carriers' minute rows, one row per (carrier, prefix):
// a fixed number of parameters however many rows.
const ADD_TO_MINUTES = `
  INSERT INTO routing_quality_minutes AS m (carrier_id, prefix, minute, attempts, answered, talk_ms, pdd_count, pdd_ms, media_count, mes_count, mes_milli, jitter_micros, rx_packets, lost_packets, updated_at)
  SELECT u.carrier_id, u.prefix, $1::timestamptz, u.attempts, u.answered, u.talk_ms, u.pdd_count, u.pdd_ms, u.media_count, u.mes_count, u.mes_milli, u.jitter_micros, u.rx_packets, u.lost_packets, now()
  FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::bigint[], $7::int[], $8::bigint[], $9::int[], $10::int[], $11::bigint[], $12::bigint[], $13::bigint[], $14::bigint[])
    AS u(carrier_id, prefix, attempts, answered, talk_ms, pdd_count, pdd_ms, media_count, mes_count, mes_milli, jitter_micros, rx_packets, lost_packets)
  ON CONFLICT (carrier_id, prefix, minute) DO UPDATE SET
    attempts = m.attempts + EXCLUDED.attempts, answered = m.answered + EXCLUDED.answered, talk_ms = m.talk_ms + EXCLUDED.talk_ms,
    pdd_count = m.pdd_count + EXCLUDED.pdd_count, pdd_ms = m.pdd_ms + EXCLUDED.pdd_ms, media_count = m.media_count + EXCLUDED.media_count,
    mes_count = m.mes_count + EXCLUDED.mes_count, mes_milli = m.mes_milli + EXCLUDED.mes_milli, jitter_micros = m.jitter_micros + EXCLUDED.jitter_micros,
    rx_packets = m.rx_packets + EXCLUDED.rx_packets, lost_packets = m.lost_packets + EXCLUDED.lost_packets, updated_at = now()
  RETURNING m.carrier_id, m.prefix, m.minute, m.attempts, m.answered, m.talk_ms, m.pdd_count, m.pdd_ms, m.media_count, m.mes_count, m.mes_milli, m.jitter_micros, m.rx_packets, m.lost_packets, m.updated_at`;

// The speed layer's minute rows, added to by the routing consumer for every ended outbound call,
// through plain SQL; the processed mark is in the same transaction (applyOnceSql).
export class PgSpeedMinutes implements SpeedMinutes {
  constructor(private readonly sql: Sql) {}

  async applyOnce(consumer: string, eventId: string, minute: Date, contributions: readonly Contribution[]): Promise<MinuteRow[] | undefined> {
    let written: MinuteRow[] = [];
    const applied = await applyOnceSql(this.sql, consumer, eventId, async (tx) => {
      const c = columnsOf(contributions);
      const rows = await tx.query<MinuteColumns>(
        ADD_TO_MINUTES,
        [minute, c.carrierIds, c.prefixes, c.attempts, c.answered, c.talkMs, c.pddCount, c.pddMs, c.mediaCount, c.mesCount, c.mesMilli, c.jitterMicros, c.rxPackets, c.lostPackets],
        'routing-speed-minutes-add',
      );
      written = rows.map(minuteRowOf);
    });
    return applied ? written : undefined;
  }
}
