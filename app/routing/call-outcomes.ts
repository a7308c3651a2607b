import { type Attempt, type CallEnded, type RtpQuality } from '../shared/events';
import { normaliseDestination } from './destination';
import { type CallOutcome } from './quality/contributions';

// E.164 in form. Whether the numbering plan knows the number does not matter here: the call went
// through the carrier to it.
const E164_FORM = /^\+[1-9]\d{5,14}$/;

// The number an outbound call went to: the callee's number as the call state manager resolved it,
// else the dialled string when it is E.164, else the dialled string read in the caller's country.
export function destinationOfCall(call: { calleeNumber?: string | null; dialed: string; callerNumber: string }): string | undefined {
  if (call.calleeNumber && E164_FORM.test(call.calleeNumber)) return call.calleeNumber;
  if (E164_FORM.test(call.dialed)) return call.dialed;
  return normaliseDestination(call.dialed, call.callerNumber);
}

export interface CallFacts {
  endedAt: Date;
  calleeNumber?: string | null;
  dialed: string;
  callerNumber: string;
  carrierId?: string | null;
  talkMs: number;
  answered: boolean;
  attempts: readonly Attempt[];
  // RTP statistics of the callee leg: the carrier's side of an outbound call.
  calleeQuality?: RtpQuality;
}

export function outcomeOf(facts: CallFacts): CallOutcome | undefined {
  const destination = destinationOfCall(facts);
  if (!destination) return undefined;
  return {
    endedAt: facts.endedAt,
    destination,
    ...(facts.carrierId ? { carrierId: facts.carrierId } : {}),
    talkMs: facts.talkMs,
    answered: facts.answered,
    attempts: facts.attempts,
    ...(facts.calleeQuality ? { carrierLeg: facts.calleeQuality } : {}),
  };
}

// The speed layer's view of call.v1.ended: only outbound calls (through carriers) teach routing.
export function outcomeOfEvent(event: CallEnded): CallOutcome | undefined {
  if (event.direction !== 'outbound') return undefined;
  return outcomeOf({
    endedAt: new Date(event.endedAt),
    calleeNumber: event.callee?.phoneNumber,
    dialed: event.dialed,
    callerNumber: event.caller.phoneNumber,
    carrierId: event.carrierId,
    talkMs: event.talkMs,
    answered: event.answeredAt !== undefined,
    attempts: event.attempts ?? [],
    ...(event.quality.callee ? { calleeQuality: event.quality.callee } : {}),
  });
}
