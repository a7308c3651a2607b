import { type EndCause } from '../shared/events';

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

export abstract class CallState {
  abstract readonly name: CallStateName;

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

export class Requested extends CallState {
  readonly name = 'requested' as const;
  override route(): CallState {
    return new Routing();
  }
  override end(cause: EndCause): CallState {
    return new Ended(cause);
  }
}

export class Routing extends CallState {
  readonly name = 'routing' as const;
  override ring(): CallState {
    return new Ringing();
  }
  // Some devices answer without sending 180 first.
  override answer(legChannelId: string): CallState {
    return new Answered(legChannelId);
  }
  override end(cause: EndCause): CallState {
    return new Ended(cause === 'completed' ? 'failed' : cause);
  }
}

export class Ringing extends CallState {
  readonly name = 'ringing' as const;
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
export function restoreState(name: CallStateName, data: { answeredLeg?: string; endCause?: EndCause }): CallState {
  switch (name) {
    case 'requested':
      return new Requested();
    case 'routing':
      return new Routing();
    case 'ringing':
      return new Ringing();
    case 'answered':
      if (!data.answeredLeg) throw new Error('stored answered call has no answered leg');
      return new Answered(data.answeredLeg);
    case 'ended':
      return new Ended(data.endCause ?? 'failed');
  }
}
