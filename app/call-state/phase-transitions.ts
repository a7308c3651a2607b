import { type Leg } from './call';
import { isTrying, legAnswered, legCancelled, type LegOutcome, legReleased, type LegState } from './leg-states';
import { isRetryableOnAnotherCarrier } from './end-causes';
import { type CallState, type CarrierChoice } from './states';

// The telephony phases that outlive a restart, as pure transitions: {state, event} -> {next,
// effects}. They touch nothing; CallSetup and ClickToCall run the effects (the switch, the store),
// and the state they return is what the store saves, so a restarted controller resumes the phase.

export type PhaseEffect =
  // Send the call to this carrier (dial it, or hand it to the switch's Dial()).
  | { kind: 'try-carrier'; choice: CarrierChoice }
  // No carrier left to try: the call ends unless a leg is still trying.
  | { kind: 'end-if-no-leg-left' }
  // Stop ringing these devices of the click-to-call's caller.
  | { kind: 'stop-ringing'; channelIds: string[]; reason: 'normal' | 'answered_elsewhere' }
  // The click-to-call's caller answered on this device: the call goes on as if it had dialled.
  | { kind: 'place-call'; callerChannelId: string }
  // The click-to-call's caller never answered.
  | { kind: 'end-caller-unanswered'; cause: 'no_answer' | 'unreachable' }
  // Put these channels in the call's bridge before the answer (creating it first when asked), and
  // tell the caller the call progresses (183 with media) when it is among them.
  | { kind: 'bridge-early'; createBridge: boolean; channelIds: string[]; progressCaller: boolean }
  // Hang these legs up (answered elsewhere) and give their carrier slots back.
  | { kind: 'cancel-legs'; channelIds: string[] }
  // Answer the caller, give the call its deadline on the switch, and bridge it with the answered
  // leg: the bridge is created unless early media made it, and only channels not in it join.
  | { kind: 'connect'; createBridge: boolean; joining: string[] };

export interface PhaseTransition {
  next: CallState;
  effects: PhaseEffect[];
}

// A transition that also moves legs: the next state of each leg it changes, by channel id.
export interface LegsTransition extends PhaseTransition {
  legs: ReadonlyMap<string, LegState>;
}

const stay = (state: CallState, ...effects: PhaseEffect[]): PhaseTransition => ({ next: state, effects });

// Routing(carriers) -> Routing(rest) + TryCarrier(first); none left: the call ends once no leg tries.
export function huntNextCarrier(state: CallState): PhaseTransition {
  const [first, ...rest] = state.hunt.remaining;
  if (!first || state.isFinal) return stay(state, { kind: 'end-if-no-leg-left' });
  return { next: state.withHunt({ remaining: rest }), effects: [{ kind: 'try-carrier', choice: first }] };
}

// A carrier leg failed: the next carrier if the failure is the carrier's (5xx, 408, no progress...)
// and one is left; a person's final answer (busy, declined) or no carrier left ends the call.
export function carrierLegFailed(state: CallState, failure: { outcome: LegOutcome; sipCode?: number }): PhaseTransition {
  if (isRetryableOnAnotherCarrier(failure.outcome, failure.sipCode) && state.hunt.remaining.length > 0) return huntNextCarrier(state);
  return stay(state, { kind: 'end-if-no-leg-left' });
}

// A carrier never tried (unknown now, at its call limit, or the switch refused the dial): the next one.
export const carrierSkipped = huntNextCarrier;

// Requested(devices) -> Requested(devices) with the caller's devices ringing.
export function callerRinging(state: CallState, channelIds: string[]): PhaseTransition {
  return { next: state.withCallerDevices(channelIds), effects: [] };
}

// One of the caller's devices answered: the others stop, and the call is placed from it.
export function callerDeviceAnswered(state: CallState, channelId: string): PhaseTransition {
  if (!state.callerDevices.includes(channelId)) return stay(state);
  const others = state.callerDevices.filter((id) => id !== channelId);
  return {
    next: state.withCallerDevices([]),
    effects: [...(others.length > 0 ? [{ kind: 'stop-ringing' as const, channelIds: others, reason: 'answered_elsewhere' as const }] : []), { kind: 'place-call', callerChannelId: channelId }],
  };
}

// Devices of the caller hung up or failed before answering; with none left, the call ends.
export function callerDevicesGone(state: CallState, channelIds: readonly string[]): PhaseTransition {
  const left = state.callerDevices.filter((id) => !channelIds.includes(id));
  if (left.length === state.callerDevices.length) return stay(state);
  if (left.length > 0) return { next: state.withCallerDevices(left), effects: [] };
  return { next: state.withCallerDevices([]), effects: [{ kind: 'end-caller-unanswered', cause: 'no_answer' }] };
}

// The caller did not answer in time (or the call is abandoned): every device stops ringing.
export function callerNotAnswering(state: CallState, cause: 'no_answer' | 'unreachable'): PhaseTransition {
  const ringing = [...state.callerDevices];
  return {
    next: ringing.length > 0 ? state.withCallerDevices([]) : state,
    effects: [...(ringing.length > 0 ? [{ kind: 'stop-ringing' as const, channelIds: ringing, reason: 'normal' as const }] : []), { kind: 'end-caller-unanswered', cause }],
  };
}

// A carrier leg's 183: the caller hears its early media. Routing/Ringing(early) -> the same phase
// with the caller and the leg in its bridge + BridgeEarly. The runner keeps `next` only once the
// switch has done it: a refused bridge leaves the call as it was, ringing without early media.
export function earlyMediaStarted(state: CallState, callerChannelId: string, legChannelId: string): PhaseTransition {
  const bridged = state.earlyMedia;
  if (bridged.includes(legChannelId) || (state.name !== 'routing' && state.name !== 'ringing')) return stay(state);
  const callerJoins = !bridged.includes(callerChannelId);
  const joining = callerJoins ? [callerChannelId, legChannelId] : [legChannelId];
  return {
    next: state.withEarlyMedia([...bridged, ...joining]),
    effects: [{ kind: 'bridge-early', createBridge: bridged.length === 0, channelIds: joining, progressCaller: callerJoins }],
  };
}

// A callee device (or carrier) answered. Routing/Ringing -> Answered(leg) + CancelLegs(the others
// still trying) + Connect; the answered leg is Answered, the others Cancelled (released: the runner
// hangs them up). An answer in any other phase comes too late: that leg alone is cancelled.
export function calleeAnswered(state: CallState, callerChannelId: string, legs: readonly Pick<Leg, 'channelId' | 'state'>[], channelId: string): LegsTransition {
  const leg = legs.find((candidate) => candidate.channelId === channelId);
  if (!leg) return { next: state, effects: [], legs: new Map() };
  if (state.name !== 'routing' && state.name !== 'ringing') {
    return { next: state, effects: [{ kind: 'cancel-legs', channelIds: [channelId] }], legs: new Map([[channelId, legReleased(legCancelled(leg.state))]]) };
  }
  const losers = legs.filter((other) => other.channelId !== channelId && isTrying(other.state));
  const moved = new Map<string, LegState>([[channelId, legAnswered(leg.state)], ...losers.map((loser) => [loser.channelId, legReleased(legCancelled(loser.state))] as const)]);
  // Channels already in the bridge (early media) stay there: adding them again would move them out and back.
  const bridged = state.earlyMedia;
  const joining = [callerChannelId, channelId].filter((id) => !bridged.includes(id));
  return {
    next: state.answer(channelId),
    effects: [{ kind: 'cancel-legs', channelIds: losers.map((loser) => loser.channelId) }, { kind: 'connect', createBridge: bridged.length === 0, joining }],
    legs: moved,
  };
}
