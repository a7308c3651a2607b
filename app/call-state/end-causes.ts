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
} as const;

// What a callee device's hang-up cause says about that attempt.
export function legOutcomeOf(cause: number): LegOutcome {
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
const OUTCOME_PRIORITY: LegOutcome[] = ['busy', 'declined', 'no_answer', 'unreachable', 'cancelled'];

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
