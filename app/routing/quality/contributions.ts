import { ATTEMPT_SKIPPED_AT_LIMIT, type Attempt, type RtpQuality } from '../../shared/events';
import { qualityKeysOf } from '../destination';
import { emptyCounters, type QualityCounters } from './counters';

// A finished outbound call, as both layers see it: the batch layer reads it from the call records,
// the speed layer from call.v1.ended. Neutral: no Prisma row or event payload.
export interface CallOutcome {
  endedAt: Date;
  // E.164 number called.
  destination: string;
  // The carrier that carried the call (absent when none answered).
  carrierId?: string;
  talkMs: number;
  answered: boolean;
  attempts: readonly Attempt[];
  // RTP statistics of the carrier leg (the callee side of an outbound call).
  carrierLeg?: RtpQuality;
}

export interface Contribution {
  carrierId: string;
  prefix: string;
  counters: QualityCounters;
}

// The attempts of a call through carriers. A record written before attempts were kept has none:
// its one carrier, answered or not, is the attempt.
function carrierAttempts(call: CallOutcome): Attempt[] {
  const tried = call.attempts.filter((attempt) => attempt.carrierId);
  if (tried.length > 0 || !call.carrierId) return tried;
  return [{ carrierId: call.carrierId, outcome: call.answered ? 'answered' : 'unreachable' }];
}

// What one outbound call adds to each carrier it tried, under the destination's country and area
// prefixes. Only attempts that reached the carrier count: a caller's cancel before anyone answered
// says nothing about the carrier, nor does a carrier skipped at its call limit (never invited: a
// full carrier is not a bad one); busy, no answer and declines are attempts (the usual ASR).
const reachedCarrier = (attempt: Attempt): boolean => attempt.outcome !== 'cancelled' && attempt.outcome !== ATTEMPT_SKIPPED_AT_LIMIT;

export function contributionsOf(call: CallOutcome): Contribution[] {
  const keys = qualityKeysOf(call.destination);
  if (!keys) return [];
  const byCarrier = new Map<string, QualityCounters>();
  const countersOf = (carrierId: string): QualityCounters => {
    let counters = byCarrier.get(carrierId);
    if (!counters) byCarrier.set(carrierId, (counters = emptyCounters()));
    return counters;
  };
  let answeredBy: string | undefined;
  for (const attempt of carrierAttempts(call)) {
    const carrierId = attempt.carrierId ?? '';
    if (!reachedCarrier(attempt)) continue;
    const counters = countersOf(carrierId);
    counters.attempts += 1;
    if (attempt.pddMs !== undefined) {
      counters.pddCount += 1;
      counters.pddMs += attempt.pddMs;
    }
    if (attempt.outcome === 'answered') {
      counters.answered += 1;
      answeredBy = carrierId;
    }
  }
  if (answeredBy !== undefined) {
    const counters = countersOf(answeredBy);
    counters.talkMs += Math.max(0, Math.round(call.talkMs));
    const leg = call.carrierLeg;
    if (leg) {
      counters.mediaCount += 1;
      counters.jitterMicros += Math.round(leg.rxJitterMs * 1000);
      counters.rxPackets += leg.rxPackets;
      counters.lostPackets += Math.max(0, leg.rxPacketsLost);
      if (leg.mes !== undefined) {
        counters.mesCount += 1;
        counters.mesMilli += Math.round(leg.mes * 1000);
      }
    }
  }
  const contributions: Contribution[] = [];
  for (const [carrierId, counters] of byCarrier) {
    contributions.push({ carrierId, prefix: keys.country, counters });
    if (keys.area !== keys.country) contributions.push({ carrierId, prefix: keys.area, counters: { ...counters } });
  }
  return contributions;
}

// The minute a call counts in (the speed layer's bucket; the batch watermark is on a minute).
export const MINUTE_MS = 60_000;
export const minuteOf = (at: Date): number => Math.floor(at.getTime() / MINUTE_MS) * MINUTE_MS;
