import { ATTEMPT_SKIPPED_AT_LIMIT } from '../shared/events';
import { type Leg } from './call';
import { type LegOutcome, outcomeOf } from './leg-states';
import { type EndCause } from './states';

// Q.850 cause codes as Asterisk reports them on a hung-up channel.
const Q850 = {
  UNALLOCATED: 1,
  NO_ROUTE_DESTINATION: 3,
  NORMAL_CLEARING: 16,
  USER_BUSY: 17,
  NO_USER_RESPONSE: 18,
  NO_ANSWER: 19,
  SUBSCRIBER_ABSENT: 20,
  CALL_REJECTED: 21,
  ANSWERED_ELSEWHERE: 26,
  NORMAL_UNSPECIFIED: 31,
  NORMAL_CIRCUIT_CONGESTION: 34,
  NETWORK_OUT_OF_ORDER: 38,
  TEMPORARY_FAILURE: 41,
  SWITCH_CONGESTION: 42,
  RESOURCE_UNAVAILABLE: 47,
} as const;

const CONGESTION_CAUSES = new Set<number>([
  Q850.NORMAL_CIRCUIT_CONGESTION,
  Q850.NETWORK_OUT_OF_ORDER,
  Q850.TEMPORARY_FAILURE,
  Q850.SWITCH_CONGESTION,
  Q850.RESOURCE_UNAVAILABLE,
]);

// Final responses of a carrier that are about the carrier or our account with it, not about the
// called number or person: our credentials refused (401, 407), the account refused or out of credit
// (403, 402), no common codec (488). Another carrier may well connect the call.
const CARRIER_REFUSALS = new Set<number>([401, 402, 403, 407, 488]);

// What a callee device's (or carrier's) hang-up says about that attempt. The SIP code, when the
// switch gives it, is the more precise of the two.
export function legOutcomeOf(cause: number, sipCode?: number): Exclude<LegOutcome, 'answered'> {
  if (sipCode !== undefined) {
    if (sipCode === 486 || sipCode === 600) return 'busy';
    if (sipCode === 603) return 'declined';
    if (sipCode === 408 || sipCode === 480) return 'no_answer';
    if (sipCode >= 500 && sipCode < 600) return 'congestion';
    // Asterisk reports these as "call rejected" (Q.850 21): it was the far end refusing us, not the callee declining.
    if (CARRIER_REFUSALS.has(sipCode)) return 'unreachable';
  }
  if (CONGESTION_CAUSES.has(cause)) return 'congestion';
  switch (cause) {
    case Q850.USER_BUSY:
      return 'busy';
    case Q850.CALL_REJECTED:
      return 'declined';
    case Q850.NO_USER_RESPONSE:
    case Q850.NO_ANSWER:
      return 'no_answer';
    case Q850.NORMAL_CLEARING:
    case Q850.ANSWERED_ELSEWHERE:
      return 'cancelled';
    default:
      return 'unreachable';
  }
}

// When every device failed, the caller hears the most telling outcome: a busy device means the
// user is busy; an explicit decline beats silence; silence beats an unreachable device.
const OUTCOME_PRIORITY: LegOutcome[] = ['busy', 'declined', 'no_answer', 'unreachable', 'congestion', 'cancelled'];

export function endCauseOfFailedLegs(outcomes: LegOutcome[]): EndCause {
  const worst = OUTCOME_PRIORITY.find((outcome) => outcomes.includes(outcome));
  switch (worst) {
    case 'busy':
      return 'busy';
    case 'declined':
      return 'declined';
    case 'no_answer':
      return 'no_answer';
    default:
      return 'unreachable';
  }
}

// The failover rule of the outbound route list, as carrier-grade LCR does it: a failure of the
// carrier is tried on the next carrier, a final answer about the called number or person never is.
// - next carrier: 5xx (the carrier failed), 408 (it did not answer our INVITE in time), 401/407
//   (it refused our credentials), 402/403 (it refused our account), 488 (no common codec), and a
//   failure without a SIP response (unreachable, at its call limit, no progress in time);
// - final: 404/410/484 (no such number), 480 (callee unavailable), 486/600 (busy), 603 (declined),
//   487 (cancelled), other 6xx, and any other response: retrying what may be the callee's answer
//   would ring them again through another network.
export function isRetryableOnAnotherCarrier(outcome: LegOutcome | undefined, sipCode: number | undefined): boolean {
  if (sipCode !== undefined) return sipCode === 408 || CARRIER_REFUSALS.has(sipCode) || (sipCode >= 500 && sipCode < 600);
  return outcome === 'congestion' || outcome === 'unreachable';
}

// The outcome a call record keeps for a leg. A carrier leg never invited (the carrier was at its
// call limit, so the INVITE was never sent) is recorded as skipped: it says nothing about the
// carrier's quality, and routing does not count it.
export function attemptOutcomeOf(leg: Leg): string {
  if (leg.carrierId !== undefined && leg.invitedAt === undefined) return ATTEMPT_SKIPPED_AT_LIMIT;
  return outcomeOf(leg.state) ?? 'cancelled';
}

// The SIP response the caller receives for a call that failed before answer.
export function sipCodeOf(cause: EndCause): number | undefined {
  switch (cause) {
    case 'no_route':
      return 404;
    case 'unreachable':
      return 480;
    case 'no_answer':
      return 480;
    case 'busy':
      return 486;
    case 'declined':
      return 603;
    case 'not_allowed':
    case 'suspended':
    case 'blocked_destination':
    case 'spend_cap':
    case 'call_rate_cap':
      return 403;
    // At its own concurrent-call limit, the caller is busy (RFC 3261 486: Busy Here).
    case 'call_limit':
      return 486;
    // Temporarily unable (a dependency failed): devices may retry another server.
    case 'failed':
      return 503;
    case 'terminated':
      return 480;
    case 'completed':
    case 'cancelled':
      return undefined;
  }
}
