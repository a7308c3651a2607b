import { type Direction } from '../shared/events';
import { type CallId } from '../shared/kernel';
import { type CallState, type CallStateName, type EndCause, Ended, Answered, Requested } from './states';
import { isTrying, type LegState } from './leg-states';

export type { LegOutcome } from './leg-states';

export interface Party {
  userId: string;
  username: string;
  phoneNumber: string;
}

export interface Leg {
  channelId: string;
  // The registered contact (device) this leg rings, or the carrier's SIP URI for a PSTN leg.
  contactUri: string;
  // Set on a leg through a SIP carrier (PSTN).
  carrierId?: string;
  // Dialing, progressing, ringing, answered, failed(outcome, SIP code) or cancelled (leg-states.ts).
  state: LegState;
  // Epoch ms: INVITE sent, and first provisional response (post-dial delay = progressAt - invitedAt).
  invitedAt?: number;
  progressAt?: number;
}

export interface StateChange {
  state: CallStateName;
  at: number; // epoch milliseconds
}

export interface CallSnapshot {
  id: CallId;
  caller: Party & { channelId: string };
  dialed: string;
  callee?: Party;
  state: CallStateName;
  answeredLeg?: string;
  endCause?: EndCause;
  sipCode?: number;
  legs: Leg[];
  history: StateChange[];
  ringDeadline?: number;
  carrierId?: string;
  // Talk time the credit reserved so far covers (seconds from answer); absent: nothing limits it.
  talkLimitSeconds?: number;
  // Absent means on-net (user to user).
  direction?: Direction;
  // The controller instance that drives the call (set by the store that saves it).
  owner?: string;
  // A call to the emergency services (app/call-policy): never cut off for credit, costs nothing.
  emergency?: true;
  // [call-policy] An outbound call whose caller withholds its number (CLIR).
  restricted?: true;
  // The phase's data: carriers still to try (routing, ringing), the click-to-call caller's devices
  // still ringing (requested), the channels in the call's bridge before the answer (early media).
  carriersLeft?: string[];
  callerDevices?: string[];
  earlyMedia?: string[];
}

// The call aggregate: parties, legs and the current state object, with its history.
export class Call {
  callee?: Party;
  sipCode?: number;
  ringDeadline?: number;
  carrierId?: string;
  talkLimitSeconds?: number;
  direction: Direction = 'on-net';
  // The controller instance that saved the call last; unknown until it is read from a store.
  owner?: string;
  emergency?: true;
  restricted?: true;

  private constructor(
    readonly id: CallId,
    readonly caller: Party & { channelId: string },
    readonly dialed: string,
    private current: CallState,
    readonly legs: Leg[],
    readonly history: StateChange[],
  ) {}

  static start(id: CallId, caller: Party & { channelId: string }, dialed: string, at: Date): Call {
    return new Call(id, caller, dialed, new Requested(), [], [{ state: 'requested', at: at.getTime() }]);
  }

  static restore(snapshot: CallSnapshot, state: CallState): Call {
    const call = new Call(snapshot.id, snapshot.caller, snapshot.dialed, state, snapshot.legs, snapshot.history);
    call.callee = snapshot.callee;
    call.sipCode = snapshot.sipCode;
    call.ringDeadline = snapshot.ringDeadline;
    call.carrierId = snapshot.carrierId;
    call.talkLimitSeconds = snapshot.talkLimitSeconds;
    call.direction = snapshot.direction ?? 'on-net';
    call.owner = snapshot.owner;
    if (snapshot.emergency) call.emergency = true;
    if (snapshot.restricted) call.restricted = true;
    return call;
  }

  get state(): CallState {
    return this.current;
  }

  // Applies a transition; records the new state in the history when it is another phase (a phase
  // whose data changed, e.g. one carrier fewer to try, is no new entry).
  // Throws IllegalTransitionError when the transition is not allowed in the current state.
  apply(transition: (state: CallState) => CallState, at: Date): boolean {
    const next = transition(this.current);
    if (next === this.current) return false;
    const previous = this.current;
    this.current = next;
    if (next.name !== previous.name) this.history.push({ state: next.name, at: at.getTime() });
    return true;
  }

  get endCause(): EndCause | undefined {
    return this.current instanceof Ended ? this.current.cause : undefined;
  }

  get answeredLeg(): string | undefined {
    return this.current instanceof Answered ? this.current.answeredLeg : this.answeredLegOfHistory();
  }

  leg(channelId: string): Leg | undefined {
    return this.legs.find((leg) => leg.channelId === channelId);
  }

  get pendingLegs(): Leg[] {
    return this.legs.filter((leg) => isTrying(leg.state));
  }

  isCaller(channelId: string): boolean {
    return this.caller.channelId === channelId;
  }

  channelIds(): string[] {
    return [this.caller.channelId, ...this.current.callerDevices, ...this.legs.map((leg) => leg.channelId)];
  }

  timeOf(state: CallStateName): number | undefined {
    return this.history.find((change) => change.state === state)?.at;
  }

  snapshot(): CallSnapshot {
    return {
      id: this.id,
      caller: this.caller,
      dialed: this.dialed,
      callee: this.callee,
      state: this.current.name,
      answeredLeg: this.answeredLeg,
      endCause: this.endCause,
      sipCode: this.sipCode,
      legs: this.legs,
      history: this.history,
      ringDeadline: this.ringDeadline,
      carrierId: this.carrierId,
      talkLimitSeconds: this.talkLimitSeconds,
      ...(this.direction !== 'on-net' ? { direction: this.direction } : {}),
      ...(this.owner !== undefined ? { owner: this.owner } : {}),
      ...(this.emergency ? { emergency: true as const } : {}),
      ...(this.restricted ? { restricted: true as const } : {}),
      ...(this.current.hunt.remaining.length > 0 ? { carriersLeft: this.current.hunt.remaining.map((choice) => choice.carrierId) } : {}),
      ...(this.current.callerDevices.length > 0 ? { callerDevices: [...this.current.callerDevices] } : {}),
      ...(this.current.earlyMedia.length > 0 ? { earlyMedia: [...this.current.earlyMedia] } : {}),
    };
  }

  private answeredLegOfHistory(): string | undefined {
    return this.legs.find((leg) => leg.state.name === 'answered')?.channelId;
  }
}
