import { randomUUID } from 'node:crypto';
import { type Attempt, type CallEnded, type RtpQuality } from '../../../app/shared/events';
import { type Database } from '../../../app/shared/infra/prisma';
import { type Clock } from '../../../app/shared/kernel';
import { type Random } from '../../../app/routing';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

// A clock the test moves.
export class TestClock implements Clock {
  constructor(public ms: number) {}
  now(): Date {
    return new Date(this.ms);
  }
}

// A clock for a test that runs a batch: now, or later than any batch already stored (an earlier
// test moved its clock ahead), since a batch never replaces one of a later watermark.
export async function batchClock(db: Database): Promise<TestClock> {
  const state = await db.routingBatchState.findUnique({ where: { id: 1 } });
  return new TestClock(Math.max(Date.now(), (state?.watermark.getTime() ?? 0) + 5 * 60_000));
}

// A carrier row as the carriers module writes it (only what routing reads matters here).
export async function newCarrier(db: Database, extra: { enabled?: boolean; allowAboveRetail?: boolean; name?: string } = {}): Promise<string> {
  const tag = randomUUID().slice(0, 8);
  const row = await db.carrier.create({
    data: { name: extra.name ?? `routing-test-${tag}`, endpointId: `carrier_${tag}`, host: '192.0.2.10', inboundMatch: '192.0.2.10', enabled: extra.enabled ?? true, allowAboveRetail: extra.allowAboveRetail ?? false },
  });
  return row.id;
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const between = (random: Random, low: number, high: number): number => low + Math.floor(random() * (high - low + 1));

// A call.v1.ended of an outbound call through up to two of the carriers (the first sometimes
// skipped at its call limit), with realistic mixes of outcomes, post-dial delays and RTP figures of the carrier leg; endedAt as given.
export function outboundCall(random: Random, carriers: readonly string[], destination: string, endedAt: Date): CallEnded {
  const order = [...carriers].sort(() => random() - 0.5);
  const attempts: Attempt[] = [];
  let answeredBy: string | undefined;
  for (const carrierId of order.slice(0, 2)) {
    // The first carrier at its call limit now and then: skipped, never invited.
    if (attempts.length === 0 && random() < 0.15) {
      attempts.push({ carrierId, outcome: 'skipped_at_limit' });
      continue;
    }
    const outcome = pick(random, ['answered', 'answered', 'answered', 'unreachable', 'busy', 'no_answer', 'cancelled'] as const);
    attempts.push({ carrierId, outcome, ...(outcome === 'unreachable' ? { sipCode: 503 } : outcome === 'busy' ? { sipCode: 486 } : {}), ...(random() < 0.8 ? { pddMs: between(random, 300, 6000) } : {}) });
    if (outcome === 'answered') {
      answeredBy = carrierId;
      break;
    }
    if (outcome === 'busy' || outcome === 'cancelled') break;
  }
  const talkMs = answeredBy ? between(random, 1000, 600_000) : 0;
  const callee: RtpQuality | undefined =
    answeredBy && random() < 0.9
      ? {
          rxPackets: between(random, 100, 30_000),
          txPackets: between(random, 100, 30_000),
          rxPacketsLost: between(random, 0, 300),
          txPacketsLost: 0,
          rxJitterMs: between(random, 0, 40_000) / 1000,
          txJitterMs: 1.5,
          ...(random() < 0.8 ? { mes: between(random, 50_000, 95_000) / 1000 } : {}),
        }
      : undefined;
  const requestedAt = new Date(endedAt.getTime() - talkMs - 8000);
  const callId = randomUUID();
  return {
    id: randomUUID(),
    version: 1,
    type: 'call.v1.ended',
    callId,
    occurredAt: endedAt.toISOString(),
    caller: { userId: randomUUID(), username: 'routing-test', phoneNumber: '+447400123456' },
    dialed: destination,
    cause: answeredBy ? 'completed' : 'unreachable',
    requestedAt: requestedAt.toISOString(),
    ...(answeredBy ? { answeredAt: new Date(endedAt.getTime() - talkMs).toISOString() } : {}),
    endedAt: endedAt.toISOString(),
    talkMs,
    ...(answeredBy ? { carrierId: answeredBy } : {}),
    direction: 'outbound',
    attempts,
    quality: callee ? { callee } : {},
    history: [],
  };
}

export interface Sums {
  attempts: number;
  answered: number;
  talkMs: number;
  pddCount: number;
  pddMs: number;
  mediaCount: number;
  mesCount: number;
  mesMilli: number;
  jitterMicros: number;
  rxPackets: number;
  lostPackets: number;
}

// The figures recomputed from the call records alone, in SQL (independent of app/routing): per
// carrier, over the outbound calls to numbers starting with `numberPrefix`. Attempts that never
// reached the carrier (cancelled by the caller first, skipped at the carrier's call limit) do not count.
export async function recompute(db: Database, carrierIds: string[], numberPrefix: string): Promise<Map<string, Sums>> {
  const rows = await db.$queryRaw<Array<Record<string, string | number | bigint | null>>>`
    SELECT a->>'carrierId' AS carrier_id,
      count(*) FILTER (WHERE a->>'outcome' NOT IN ('cancelled', 'skipped_at_limit')) AS attempts,
      count(*) FILTER (WHERE a->>'outcome' = 'answered') AS answered,
      coalesce(sum(talk_ms) FILTER (WHERE a->>'outcome' = 'answered'), 0) AS talk_ms,
      count(a->'pddMs') FILTER (WHERE a->>'outcome' NOT IN ('cancelled', 'skipped_at_limit')) AS pdd_count,
      coalesce(sum((a->>'pddMs')::bigint) FILTER (WHERE a->>'outcome' NOT IN ('cancelled', 'skipped_at_limit')), 0) AS pdd_ms,
      count(quality->'callee') FILTER (WHERE a->>'outcome' = 'answered') AS media_count,
      count(quality->'callee'->'mes') FILTER (WHERE a->>'outcome' = 'answered') AS mes_count,
      coalesce(sum(round((quality->'callee'->>'mes')::numeric * 1000)) FILTER (WHERE a->>'outcome' = 'answered'), 0) AS mes_milli,
      coalesce(sum(round((quality->'callee'->>'rxJitterMs')::numeric * 1000)) FILTER (WHERE a->>'outcome' = 'answered'), 0) AS jitter_micros,
      coalesce(sum((quality->'callee'->>'rxPackets')::bigint) FILTER (WHERE a->>'outcome' = 'answered'), 0) AS rx_packets,
      coalesce(sum(greatest(0, (quality->'callee'->>'rxPacketsLost')::bigint)) FILTER (WHERE a->>'outcome' = 'answered'), 0) AS lost_packets
    FROM call_records, jsonb_array_elements(attempts) AS a
    WHERE direction = 'outbound' AND a->>'carrierId' = ANY(${carrierIds}) AND dialed LIKE ${`${numberPrefix}%`}
    GROUP BY 1`;
  const n = (value: string | number | bigint | null | undefined): number => Number(value ?? 0);
  return new Map(
    rows.map((row) => [
      String(row.carrier_id),
      {
        attempts: n(row.attempts),
        answered: n(row.answered),
        talkMs: n(row.talk_ms),
        pddCount: n(row.pdd_count),
        pddMs: n(row.pdd_ms),
        mediaCount: n(row.media_count),
        mesCount: n(row.mes_count),
        mesMilli: n(row.mes_milli),
        jitterMicros: n(row.jitter_micros),
        rxPackets: n(row.rx_packets),
        lostPackets: n(row.lost_packets),
      },
    ]),
  );
}
