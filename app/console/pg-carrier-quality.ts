import { type SqlQueries } from '../shared/infra/sql';
import { type CarrierQualityHistory, type CarrierQualityQuery, type PrefixQuality } from './carrier-quality';

interface Row {
  prefix: string;
  at: Date;
  attempts: string;
  answered: string;
  talk_ms: string | bigint;
  pdd_count: string;
  pdd_ms: string | bigint;
  mes_count: string;
  mes_milli: string | bigint;
  rate_per_minute_micros: bigint | null;
  connect_fee_minor: bigint | null;
}

// The rate is the deck's longest prefix covering the quality prefix. The minutes keep as long as the routing batch's horizon (routing_quality_minutes are pruned
// behind it), which bounds how far back the charts reach.
const HISTORY = `
  SELECT m.prefix, to_timestamp(floor(extract(epoch FROM m.minute) / $4) * $4) AS at,
    sum(m.attempts) AS attempts, sum(m.answered) AS answered, sum(m.talk_ms) AS talk_ms, sum(m.pdd_count) AS pdd_count,
    sum(m.pdd_ms) AS pdd_ms, sum(m.mes_count) AS mes_count, sum(m.mes_milli) AS mes_milli,
    min(r.rate_per_minute_micros) AS rate_per_minute_micros, min(r.connect_fee_minor) AS connect_fee_minor
  FROM routing_quality_minutes m
  LEFT JOIN LATERAL (
    SELECT rate_per_minute_micros, connect_fee_minor FROM carrier_rates
    WHERE carrier_id = $5::uuid AND starts_with(m.prefix, prefix) ORDER BY length(prefix) DESC LIMIT 1
  ) r ON true
  WHERE m.carrier_id = $1 AND m.minute >= $2 AND m.minute < $3
  GROUP BY 1, 2 ORDER BY 1, 2`;

export class PgCarrierQuality implements CarrierQualityHistory {
  constructor(private readonly sql: SqlQueries) {}

  async history(query: CarrierQualityQuery): Promise<PrefixQuality[]> {
    const rows = await this.sql.query<Row>(HISTORY, [query.carrierId, query.from, query.to, query.bucketSeconds, query.carrierId]);
    const byPrefix = new Map<string, PrefixQuality>();
    for (const row of rows) {
      let prefix = byPrefix.get(row.prefix);
      if (!prefix) {
        prefix = {
          prefix: row.prefix,
          ...(row.rate_per_minute_micros !== null ? { ratePerMinuteMicros: BigInt(row.rate_per_minute_micros) } : {}),
          ...(row.connect_fee_minor !== null ? { connectFeeMinor: BigInt(row.connect_fee_minor) } : {}),
          points: [],
        };
        byPrefix.set(row.prefix, prefix);
      }
      prefix.points.push({
        at: row.at,
        attempts: Number(row.attempts),
        answered: Number(row.answered),
        talkMs: Number(row.talk_ms),
        pddCount: Number(row.pdd_count),
        pddMs: Number(row.pdd_ms),
        mesCount: Number(row.mes_count),
        mesMilli: Number(row.mes_milli),
      });
    }
    return [...byPrefix.values()];
  }
}
