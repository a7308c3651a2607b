import { type EndCause } from '../shared/events';
import { type CarrierTarget } from './ports';

// A call is a state machine. Each state is an object; a transition returns the next state.
// A transition that makes no sense in the current state throws IllegalTransitionError, which the
// manager logs and ignores: a late or duplicated switch event must never crash the controller.

export type CallStateName = 'requested' | 'routing' | 'ringing' | 'answered' | 'ended';

// Why a call ended: the event contract's list (shared/events), re-exported for call-state's files.
export type { EndCause };

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: CallStateName,
    readonly transition: string,
  ) {
    super(`illegal transition '${transition}' from state '${from}'`);
    this.name = 'IllegalTransitionError';
  }
}

// A carrier still to try. An emergency call's comes with its dial target (no lookup on its path);
// the stored form keeps the carrier id only, and a restarted controller looks the target up again.
export interface CarrierChoice {
  carrierId: string;
  target?: CarrierTarget;
}

// The carriers an outbound call has still to try, best first (the phase's data, persisted with it).
export interface CarrierHunt {
  readonly remaining: readonly CarrierChoice[];
}

const NO_HUNT: CarrierHunt = { remaining: [] };

export abstract class CallState {
  abstract readonly name: CallStateName;

  // The carriers still to try (routing and ringing only).
  get hunt(): CarrierHunt {
    return NO_HUNT;
  }

  // The click-to-call caller's devices still ringing (requested only).
  get callerDevices(): readonly string[] {
    return [];
  }

  // The channels in the call's bridge before the answer: the caller and the carrier legs whose
  // early media it hears (routing and ringing only).
  get earlyMedia(): readonly string[] {
    return [];
  }

  // The same phase with these channels in its bridge before the answer.
  withEarlyMedia(_channels: readonly string[]): CallState {
    return this.illegal('withEarlyMedia');
  }

  // The same phase with another list of carriers still to try.
  withHunt(_hunt: CarrierHunt): CallState {
    return this.illegal('withHunt');
  }

  // The same phase with another set of the caller's devices ringing.
  withCallerDevices(_devices: readonly string[]): CallState {
    return this.illegal('withCallerDevices');
  }

  route(): CallState {
    return this.illegal('route');
  }

  ring(): CallState {
    return this.illegal('ring');
  }

  answer(_legChannelId: string): CallState {
    return this.illegal('answer');
  }

  end(_cause: EndCause): CallState {
    return this.illegal('end');
  }

  get isFinal(): boolean {
    return false;
  }

  protected illegal(transition: string): never {
    throw new IllegalTransitionError(this.name, transition);
  }
}

// Before routing. A click-to-call rings its caller's devices in this phase: the first to answer
// becomes the caller's channel.
export class Requested extends CallState {
  readonly name = 'requested' as const;
  constructor(private readonly ringingCaller: readonly string[] = []) {
    super();
  }
  override get callerDevices(): readonly string[] {
    return this.ringingCaller;
  }
  override withCallerDevices(devices: readonly string[]): CallState {
    return new Requested(devices);
  }
  override route(): CallState {
    return new Routing();
  }
  override end(cause: EndCause): CallState {
    return new Ended(cause);
  }
}

export class Routing extends CallState {
  readonly name = 'routing' as const;
  constructor(
    private readonly carriers: CarrierHunt = NO_HUNT,
    private readonly bridged: readonly string[] = [],
  ) {
    super();
  }
  override get hunt(): CarrierHunt {
    return this.carriers;
  }
  override get earlyMedia(): readonly string[] {
    return this.bridged;
  }
  override withHunt(hunt: CarrierHunt): CallState {
    return new Routing(hunt, this.bridged);
  }
  override withEarlyMedia(channels: readonly string[]): CallState {
    return new Routing(this.carriers, channels);
  }
  override ring(): CallState {
    return new Ringing(this.carriers, this.bridged);
  }
  // Some devices answer without sending 180 first.
  override answer(legChannelId: string): CallState {
    return new Answered(legChannelId);
  }
  override end(cause: EndCause): CallState {
    return new Ended(cause === 'completed' ? 'failed' : cause);
  }
}

// The carriers still to try stay with the call while one rings: it may still fail (503 after 180).
export class Ringing extends CallState {
  readonly name = 'ringing' as const;
  constructor(
    private readonly carriers: CarrierHunt = NO_HUNT,
    private readonly bridged: readonly string[] = [],
  ) {
    super();
  }
  override get hunt(): CarrierHunt {
    return this.carriers;
  }
  override get earlyMedia(): readonly string[] {
    return this.bridged;
  }
  override withHunt(hunt: CarrierHunt): CallState {
    return new Ringing(hunt, this.bridged);
  }
  override withEarlyMedia(channels: readonly string[]): CallState {
    return new Ringing(this.carriers, channels);
  }
  // A second device ringing keeps the call ringing.
  override ring(): CallState {
    return this;
  }
  override answer(legChannelId: string): CallState {
    return new Answered(legChannelId);
  }
  override end(cause: EndCause): CallState {
    return new Ended(cause === 'completed' ? 'failed' : cause);
  }
}

export class Answered extends CallState {
  readonly name = 'answered' as const;
  constructor(readonly answeredLeg: string) {
    super();
  }
  // Once answered, whatever the reason for the hang-up, the call was completed.
  override end(cause: EndCause): CallState {
    return new Ended(cause === 'not_allowed' || cause === 'failed' || cause === 'terminated' ? cause : 'completed');
  }
}

export class Ended extends CallState {
  readonly name = 'ended' as const;
  constructor(readonly cause: EndCause) {
    super();
  }
  override get isFinal(): boolean {
    return true;
  }
}

// Rebuilds a state object from its stored form.
export interface StoredPhase {
  answeredLeg?: string;
  endCause?: EndCause;
  carriersLeft?: string[];
  callerDevices?: string[];
  earlyMedia?: string[];
}

export function restoreState(name: CallStateName, data: StoredPhase): CallState {
  const hunt: CarrierHunt = { remaining: (data.carriersLeft ?? []).map((carrierId) => ({ carrierId })) };
  switch (name) {
    case 'requested':
      return new Requested(data.callerDevices ?? []);
    case 'routing':
      return new Routing(hunt, data.earlyMedia ?? []);
    case 'ringing':
      return new Ringing(hunt, data.earlyMedia ?? []);
    case 'answered':
      if (!data.answeredLeg) throw new Error('stored answered call has no answered leg');
      return new Answered(data.answeredLeg);
    case 'ended':
      return new Ended(data.endCause ?? 'failed');
  }
}
