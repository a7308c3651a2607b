import {
  CALL_SUBJECTS,
  deterministicEventId,
  type CallAnswered,
  type CallEnded,
  type CallRequested,
  type CallRinging,
  type CallRouted,
  type RtpQuality,
} from '../shared/events';
import { type Call } from './call';
import { attemptOutcomeOf } from './end-causes';
import { legSipCodeOf } from './leg-states';

// The call.v1.* event of each transition. Ids are derived from the call and the transition, so the
// same fact published twice (after a crash, by another instance) has the same id and is dropped.

const iso = (ms: number): string => new Date(ms).toISOString();
const idOf = (call: Call, type: string): string => deterministicEventId(call.id, type);
const base = <T extends string>(call: Call, type: T, at: number) => ({ id: idOf(call, type), version: 1 as const, type, callId: call.id, occurredAt: iso(at) });

export function callRequested(call: Call): CallRequested {
  const { channelId, ...caller } = call.caller;
  return { ...base(call, CALL_SUBJECTS.requested, call.timeOf('requested') ?? Date.now()), caller, dialed: call.dialed, channels: { caller: channelId } };
}

export function callRouted(call: Call, at: number): CallRouted {
  if (!call.callee) throw new Error('a routed call has a callee');
  return { ...base(call, CALL_SUBJECTS.routed, at), callee: call.callee, devices: call.legs.length, ...(call.carrierId ? { carrierId: call.carrierId } : {}) };
}

export function callRinging(call: Call, at: number): CallRinging {
  return base(call, CALL_SUBJECTS.ringing, at);
}

export function callAnswered(call: Call, at: number): CallAnswered {
  const callee = call.answeredLeg;
  return {
    ...base(call, CALL_SUBJECTS.answered, at),
    setupMs: Math.max(0, at - (call.timeOf('requested') ?? at)),
    channels: { caller: call.caller.channelId, ...(callee ? { callee } : {}) },
  };
}

export function callEnded(call: Call, quality: { caller?: RtpQuality; callee?: RtpQuality }, extra: { reason?: string; endTimeEstimated?: boolean } = {}): CallEnded {
  const { reason, endTimeEstimated } = extra;
  const endedAt = call.timeOf('ended') ?? Date.now();
  const requestedAt = call.timeOf('requested') ?? endedAt;
  const ringingAt = call.timeOf('ringing');
  const answeredAt = call.timeOf('answered');
  const { channelId: _channel, ...caller } = call.caller;
  return {
    ...base(call, CALL_SUBJECTS.ended, endedAt),
    caller,
    ...(call.callee ? { callee: call.callee } : {}),
    dialed: call.dialed,
    cause: call.endCause ?? 'failed',
    ...(reason ? { reason } : {}),
    ...(call.sipCode ? { sipCode: call.sipCode } : {}),
    requestedAt: iso(requestedAt),
    ...(ringingAt ? { ringingAt: iso(ringingAt) } : {}),
    ...(answeredAt ? { answeredAt: iso(answeredAt) } : {}),
    endedAt: iso(endedAt),
    ...(endTimeEstimated ? { endTimeEstimated: true } : {}),
    talkMs: answeredAt ? Math.max(0, endedAt - answeredAt) : 0,
    ...(call.carrierId ? { carrierId: call.carrierId } : {}),
    direction: call.direction,
    ...(call.emergency ? { emergency: true } : {}),
    attempts: call.legs.map((leg) => ({
      ...(leg.carrierId ? { carrierId: leg.carrierId } : {}),
      outcome: attemptOutcomeOf(leg),
      ...(legSipCodeOf(leg.state) !== undefined ? { sipCode: legSipCodeOf(leg.state) } : {}),
      ...(leg.invitedAt !== undefined && leg.progressAt !== undefined ? { pddMs: Math.max(0, leg.progressAt - leg.invitedAt) } : {}),
    })),
    quality,
    history: call.history.map((change) => ({ state: change.state, at: iso(change.at) })),
  };
}
