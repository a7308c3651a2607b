import { type CallCommand, type CallCommandReply } from '../shared/events';
import { AppError, ConflictError, NotFoundError } from '../shared/kernel';
import { type Call, type Party } from './call';
import { outcomeOf } from './leg-states';
import { type CallStateManager } from './call-state-manager';
import { type CallCommandForwarder, type CallPlacement, type CallStore, type SubscriberDirectory, type SwitchControl } from './ports';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// What operators see of a call, live or finished.
export interface CallView {
  id: string;
  live: boolean;
  state: string;
  caller: Party;
  callee?: Party;
  dialed: string;
  endCause?: string;
  sipCode?: number;
  talkMs?: number;
  devices: { contactUri: string; outcome?: string }[];
  history: { state: string; at: string }[];
  // A live call: the instance (fleet node) driving it.
  node?: string;
  // A live call: on-net, outbound or inbound, and the carrier it goes through (or came in by).
  direction?: string;
  carrierId?: string;
}

// A finished call, from the call logs.
export interface EndedCallLookup {
  find(callId: string): Promise<CallView | undefined>;
}

export class CallNotFoundError extends NotFoundError {
  constructor(callId: string) {
    super('CALL.NOT_FOUND', 'no such call', { callId });
  }
}

// A click-to-call names a user nobody has (as `from`, or as `to` by username).
export class CallUserNotFoundError extends NotFoundError {
  constructor(user: string) {
    super('CALL.USER_NOT_FOUND', 'no such user', { user });
  }
}

export class CallAlreadyEndedError extends ConflictError {
  constructor(callId: string) {
    super('CALL.ALREADY_ENDED', 'the call has already ended', { callId });
  }
}

// The instance driving a call (a fleet node) did not answer a command for it in time.
export class CallNodeUnreachableError extends AppError {
  constructor(callId: string, owner: string, options?: { cause?: unknown }) {
    super('CALL.NODE_UNREACHABLE', 'the node driving the call did not answer', 'unavailable', { callId, owner }, options);
  }
}

export function viewOf(call: Call): CallView {
  const { channelId: _channel, ...caller } = call.caller;
  return {
    id: call.id,
    live: true,
    state: call.state.name,
    caller,
    ...(call.callee ? { callee: call.callee } : {}),
    dialed: call.dialed,
    devices: call.legs.map((leg) => ({ contactUri: leg.contactUri, ...(outcomeOf(leg.state) ? { outcome: outcomeOf(leg.state) } : {}) })),
    history: call.history.map((change) => ({ state: change.state, at: new Date(change.at).toISOString() })),
    ...(call.owner !== undefined ? { node: call.owner } : {}),
    direction: call.direction,
    ...(call.carrierId ? { carrierId: call.carrierId } : {}),
  };
}

// Operator operations on calls: live calls come from the shared store (whichever controller drives
// them), finished ones from the call logs.
export class CallOperations {
  constructor(
    private readonly store: CallStore,
    private readonly manager: CallStateManager,
    private readonly switchControl: SwitchControl,
    private readonly ended: EndedCallLookup,
    // Finds users by username (and by id) for the per-user index and click-to-call; without it,
    // only user ids are found.
    private readonly directory?: Pick<SubscriberDirectory, 'findByUsername' | 'findById'>,
    // In a fleet: this instance's id, the way to reach the instance that owns a call, and where a
    // click-to-call is placed (a node whose switch is up).
    private readonly fleet?: { instanceId: string; forwarder: CallCommandForwarder; placement?: CallPlacement },
  ) {}

  // Click-to-call: rings the devices of `from` (a user id or username); the first to answer calls
  // `to` (a username or an E.164 number) as if it had dialled it. A `to` username must exist; a
  // number may be anyone's, on-net or on the phone network. Throws CallUserNotFoundError, or
  // CallerUnreachableError when `from` has no device to ring.
  async start(from: string, to: string): Promise<CallView> {
    const caller = UUID.test(from) ? await this.directory?.findById?.(from.toLowerCase()) : await this.directory?.findByUsername(from);
    if (!caller) throw new CallUserNotFoundError(from);
    if (!to.startsWith('+') && !(await this.directory?.findByUsername(to))) throw new CallUserNotFoundError(to);
    const local = (): Promise<string> => this.manager.startCall(caller, to);
    const callId = this.fleet?.placement ? await this.fleet.placement.place({ kind: 'start_call', fromUserId: caller.userId, to }, local) : await local();
    return this.get(callId);
  }

  // Live calls, optionally of one user (as caller or callee, by user id or username): one user's
  // calls come from that user's index, not from a scan of every live call.
  async list(filter: { user?: string } = {}): Promise<CallView[]> {
    const user = filter.user;
    let calls: Call[];
    if (user === undefined) {
      calls = await this.store.liveCalls();
    } else {
      const userId = UUID.test(user) ? user.toLowerCase() : (await this.directory?.findByUsername(user))?.userId;
      calls = userId ? await this.store.liveCallsOf(userId) : [];
    }
    return calls.map(viewOf).sort((a, b) => (a.history[0]?.at ?? '').localeCompare(b.history[0]?.at ?? ''));
  }

  async get(callId: string): Promise<CallView> {
    const live = await this.store.get(callId);
    if (live) return viewOf(live);
    const ended = await this.ended.find(callId);
    if (ended) return ended;
    throw new CallNotFoundError(callId);
  }

  // [call-policy] Hangs up at once every live call of a user the platform has barred (suspended
  // or deleted), as caller or callee, except calls to the emergency services. The number hung up.
  async hangUpCallsOf(userId: string, reason: 'user_suspended' | 'user_deleted'): Promise<number> {
    const calls = (await this.store.liveCallsOf(userId)).filter((call) => !call.emergency);
    const results = await Promise.allSettled(calls.map((call) => this.hangUp(call.id, reason)));
    return results.filter((result) => result.status === 'fulfilled').length;
  }

  // Hangs a live call up. The controller driving it ends it: this one, or the owner it is forwarded
  // to (a fleet node, whose switch has the call's channels). An owner that does not drive it (not
  // adopted yet) or no owner at all: hanging up its channels makes whoever adopts it end it.
  async hangUp(callId: string, reason = 'operator'): Promise<void> {
    if (await this.manager.terminate(callId, reason)) return;
    const live = await this.store.get(callId);
    if (live && (await this.forwarded(live, { kind: 'hang_up', callId, reason }))) return;
    if (live) {
      await Promise.all(live.channelIds().map((channelId) => this.switchControl.hangup(channelId, 'normal')));
      return;
    }
    if (await this.ended.find(callId)) throw new CallAlreadyEndedError(callId);
    throw new CallNotFoundError(callId);
  }

  // Sends the command to the call's owner when that is another instance; whether it was done there.
  private async forwarded(call: Call, command: CallCommand): Promise<boolean> {
    if (!this.fleet || call.owner === undefined || call.owner === this.fleet.instanceId) return false;
    const reply: CallCommandReply = await this.fleet.forwarder.forward(call.owner, command);
    if (reply.outcome === 'failed' || reply.outcome === 'unreachable' || reply.outcome === 'refused' || reply.outcome === 'unwell') throw new CallNodeUnreachableError(call.id, call.owner, { cause: new Error(reply.message) });
    return reply.outcome === 'done';
  }

  // Runs a command another instance forwarded here, for a call this instance may drive.
  async execute(command: CallCommand): Promise<CallCommandReply> {
    switch (command.kind) {
      case 'hang_up':
        return (await this.manager.terminate(command.callId, command.reason)) ? { outcome: 'done' } : { outcome: 'not_driving' };
      case 'start_call': {
        // Placed here, on this instance's switch (the sender checked the users already).
        const caller = await this.directory?.findById?.(command.fromUserId);
        if (!caller) throw new CallUserNotFoundError(command.fromUserId);
        return { outcome: 'done', callId: await this.manager.startCall(caller, command.to) };
      }
    }
  }
}
