import { type LegOutcome } from './call';
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

// What a callee device's (or carrier's) hang-up says about that attempt. The SIP code, when the
// switch gives it, is the more precise of the two.
export function legOutcomeOf(cause: number, sipCode?: number): LegOutcome {
  if (sipCode !== undefined) {
    if (sipCode === 486 || sipCode === 600) return 'busy';
    if (sipCode === 603) return 'declined';
    if (sipCode === 408 || sipCode === 480) return 'no_answer';
    if (sipCode >= 500 && sipCode < 600) return 'congestion';
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

// A carrier attempt that failed this way is retried on the next carrier; a final answer of the
// called person (busy, declined) never is.
export function isRetryableOnAnotherCarrier(outcome: LegOutcome | undefined, sipCode: number | undefined): boolean {
  if (sipCode !== undefined) return sipCode === 408 || (sipCode >= 500 && sipCode < 600);
  return outcome === 'congestion' || outcome === 'unreachable';
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
      return 403;
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
