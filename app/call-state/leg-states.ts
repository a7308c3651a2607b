// One callee device's (or carrier's) attempt as a state: Dialing -> Progressing (183) / Ringing
// (180) -> Answered, or Failed(outcome, code) / Cancelled. The transitions are pure: they return the
// next state, and the leg's owner stores it on the leg, which the call's snapshot persists.
//
// `released`: the controller owes the leg's channel no hang-up (the switch said it is gone, the
// controller hung it up, or the switch's own Dial() owns it). It is data of the state, not beside
// it: a failed leg whose hang-up failed stays unreleased, so the call's end hangs it up again.

// How one attempt finished; `answered` and `cancelled` are states of their own.
export type LegOutcome = 'answered' | 'busy' | 'declined' | 'no_answer' | 'unreachable' | 'cancelled' | 'congestion';
export type LegFailure = Exclude<LegOutcome, 'answered' | 'cancelled'>;

export type LegState =
  | { readonly name: 'dialing'; readonly released?: true }
  | { readonly name: 'progressing'; readonly released?: true }
  | { readonly name: 'ringing'; readonly released?: true }
  | { readonly name: 'answered'; readonly released?: true }
  | { readonly name: 'failed'; readonly outcome: LegFailure; readonly sipCode?: number; readonly released?: true }
  | { readonly name: 'cancelled'; readonly sipCode?: number; readonly released?: true };

export type LegStateName = LegState['name'];

export const DIALING: LegState = { name: 'dialing' };

const rel = (released: boolean | undefined): { released?: true } => (released ? { released: true } : {});

// Still trying: neither answered nor finished.
export function isTrying(state: LegState): boolean {
  return state.name === 'dialing' || state.name === 'progressing' || state.name === 'ringing';
}

// The outcome a finished leg records (call events, end causes); undefined while it is trying.
export function outcomeOf(state: LegState): LegOutcome | undefined {
  if (state.name === 'failed') return state.outcome;
  if (state.name === 'answered' || state.name === 'cancelled') return state.name;
  return undefined;
}

// The SIP final response that ended the leg, when there was one (486, 503, 487...).
export function legSipCodeOf(state: LegState): number | undefined {
  return state.name === 'failed' || state.name === 'cancelled' ? state.sipCode : undefined;
}

// 180 from a trying leg: it rings (a 183 before it included).
export function legRang(state: LegState): LegState {
  return isTrying(state) ? { name: 'ringing', ...rel(state.released) } : state;
}

// 183 Session Progress from a dialling leg; one that already rings stays ringing.
export function legProgressed(state: LegState): LegState {
  return state.name === 'dialing' ? { name: 'progressing', ...rel(state.released) } : state;
}

export function legAnswered(state: LegState): LegState {
  return isTrying(state) ? { name: 'answered', ...rel(state.released) } : state;
}

// A trying leg failed; a finished leg keeps how it finished.
export function legFailed(state: LegState, outcome: LegFailure, sipCode?: number): LegState {
  if (!isTrying(state)) return state;
  return { name: 'failed', outcome, ...(sipCode !== undefined ? { sipCode } : {}), ...rel(state.released) };
}

// Another device answered first, or the call ended while this one tried.
export function legCancelled(state: LegState, sipCode?: number): LegState {
  return isTrying(state) ? { name: 'cancelled', ...(sipCode !== undefined ? { sipCode } : {}), ...rel(state.released) } : state;
}

// A trying leg ends with this outcome: cancelled, or failed.
export function legFinished(state: LegState, outcome: Exclude<LegOutcome, 'answered'>, sipCode?: number): LegState {
  return outcome === 'cancelled' ? legCancelled(state, sipCode) : legFailed(state, outcome, sipCode);
}

// The leg's channel needs no hang-up from the controller any more.
export function legReleased(state: LegState): LegState {
  return state.released ? state : { ...state, released: true };
}
