import { type PublishableEvent } from '../shared/events';
import { type CallId, type Clock, type Scheduler, newCallId, newChannelId, errorMessage } from '../shared/kernel';
import { KeyedSerialQueue } from '../shared/kernel/keyed-queue';
import { type Logger } from '../shared/infra/logger';
import { Call, type Leg, type LegOutcome, type Party } from './call';
import { CallCredit, REFUSAL_SIP_CODES } from './call-credit';
import { callAnswered, callEnded, callRequested, callRinging, callRouted } from './call-events';
import { qualityOf } from './call-quality';
import { CallTimers } from './call-timers';
import { endCauseOfFailedLegs, legOutcomeOf, sipCodeOf } from './end-causes';
import {
  type CallAuthorizer,
  type CallStore,
  type ConnectionLookup,
  type SubscriberDirectory,
  type SwitchChannel,
  type SwitchControl,
  type SwitchEvent,
} from './ports';
import { Answered, type CallState, type EndCause, IllegalTransitionError } from './states';

const CALL_CHANNEL_KINDS = new Set(['from-user', 'leg']);
const isCallChannel = (channel: SwitchChannel): boolean => CALL_CHANNEL_KINDS.has(channel.stasisArgs?.[0] ?? '');

export interface CallStateManagerDeps {
  switchControl: SwitchControl;
  // Billing (the design's continueCall). Without one, every call may go on without limit.
  authorizer?: CallAuthorizer;
  directory: SubscriberDirectory;
  connections: ConnectionLookup;
  store: CallStore;
  clock: Clock;
  scheduler: Scheduler;
  log: Logger;
  ringTimeoutSeconds: number;
}

// The brain: decides which channels to bridge and when a call ends; the switch only executes.
// Events of one call are applied one at a time, in order; calls do not wait on each other. Every
// change is written through to the call store together with its call.v1.* event.
export class CallStateManager {
  private readonly queue = new KeyedSerialQueue();
  // Calls this instance drives, and the channel -> call index that routes switch events.
  private readonly calls = new Map<string, Call>();
  private readonly channelToCall = new Map<string, CallId>();
  private readonly timers: CallTimers;
  private readonly credit: CallCredit;

  constructor(private readonly deps: CallStateManagerDeps) {
    this.timers = new CallTimers(deps.clock, deps.scheduler);
    this.credit = new CallCredit(deps.authorizer, deps.clock);
  }

  // Entry point for every switch event. Synchronous up to the queue, so arrival order is kept.
  handle(event: SwitchEvent): Promise<void> {
    const callId = this.callIdFor(event);
    if (!callId) {
      if (event.type === 'leg.answered') return this.hangUpStray(event.channelId, 'answered leg of no call');
      this.deps.log.debug('switch event for a channel of no call', { type: event.type, channelId: event.channelId });
      return Promise.resolve();
    }
    return this.queue.run(callId, () => this.apply(callId, event));
  }

  liveCallCount(): number {
    return this.calls.size;
  }

  ownsCall(callId: string): boolean {
    return this.calls.has(callId);
  }

  // continueCall of the design: may this call go on past the talk time reserved so far?
  continueCall(call: Call): Promise<boolean> {
    return this.credit.continueCall(call, this.logFor(call));
  }

  // An operator ends a live call. False when this instance does not drive it.
  async terminate(callId: string): Promise<boolean> {
    if (!this.calls.has(callId)) return false;
    await this.queue.run(callId, async () => {
      const call = this.calls.get(callId);
      if (call && !call.state.isFinal) await this.endCall(call, 'terminated', this.logFor(call), { reason: 'operator' });
    });
    return true;
  }

  // After a restart: take over the live calls kept in the store, before any switch event arrives.
  async recover(): Promise<number> {
    const stored = await this.deps.store.liveCalls();
    for (const call of stored) {
      if (this.calls.has(call.id)) continue;
      this.calls.set(call.id, call);
      for (const channelId of call.channelIds()) this.channelToCall.set(channelId, call.id);
    }
    return stored.length;
  }

  // After the event connection (re)opened: events may have been lost, so compare every live call
  // with the channels Asterisk really has, and hang up channels of ours that belong to no call.
  // Channels created after `connectedAt` are left alone: their own events will bring them.
  async reconcile(channels: SwitchChannel[], connectedAt: Date): Promise<void> {
    const byId = new Map(channels.map((channel) => [channel.id, channel]));
    const ofCalls = new Set(this.channelToCall.keys());
    await Promise.all([...this.calls.keys()].map((callId) => this.queue.run(callId, () => this.reconcileCall(callId, byId))));
    // Only callers and callee legs are call channels; other modules' channels (e.g. snoops) are theirs.
    const strays = channels.filter(
      (channel) =>
        isCallChannel(channel) && !ofCalls.has(channel.id) && !this.channelToCall.has(channel.id) && channel.createdAt < connectedAt,
    );
    await Promise.all(strays.map((channel) => this.hangUpStray(channel.id, 'channel of no call')));
    this.deps.log.info('reconciled with the switch', { liveCalls: this.calls.size, channels: channels.length, strays: strays.length });
  }

  // Refreshes the store's safety TTL of every call this instance drives.
  async keepAlive(): Promise<void> {
    if (this.calls.size > 0) await this.deps.store.touch([...this.calls.keys()]);
  }

  private callIdFor(event: SwitchEvent): CallId | undefined {
    if (event.type === 'call.arrived') {
      if (this.channelToCall.has(event.channelId)) {
        // The same channel entering Stasis again is not a new call.
        this.deps.log.warn('channel of a live call arrived again', { channelId: event.channelId });
        return undefined;
      }
      const callId = newCallId();
      this.channelToCall.set(event.channelId, callId);
      return callId;
    }
    return this.channelToCall.get(event.channelId);
  }

  private async apply(callId: CallId, event: SwitchEvent): Promise<void> {
    try {
      if (event.type === 'call.arrived') {
        await this.onArrived(callId, event.channelId, event.callerUsername, event.dialed, event.at);
        return;
      }
      const call = this.calls.get(callId);
      if (!call) return;
      switch (event.type) {
        case 'channel.ringing':
          return await this.onRinging(call, event.channelId, event.at);
        case 'leg.answered':
          return await this.onLegAnswered(call, event.channelId, event.at);
        case 'channel.hungup':
          return await this.onHungUp(call, event.channelId, event.cause, event.at);
      }
    } catch (error) {
      const log = this.deps.log.child({ callId });
      log.error('call event failed', { type: event.type, channelId: event.channelId, error: errorMessage(error) });
      await this.failSafe(callId, event, log);
    }
  }

  // A dependency failed in the middle of a call (database, store, switch): end the call cleanly
  // rather than leave channels waiting in Stasis.
  private async failSafe(callId: CallId, event: SwitchEvent, log: Logger): Promise<void> {
    const call = this.calls.get(callId);
    try {
      if (call && !call.state.isFinal) {
        await this.endCall(call, 'failed', log);
      } else if (!call && event.type === 'call.arrived') {
        this.channelToCall.delete(event.channelId);
        await this.deps.switchControl.reject(event.channelId, sipCodeOf('failed') ?? 503);
      }
    } catch (error) {
      log.error('could not end the failed call', { error: errorMessage(error) });
      if (call) this.forget(call);
    }
  }

  // startCall(from, to) of the design: a user's call arrived; find the callee and ring every device.
  private async onArrived(callId: CallId, channelId: string, callerUsername: string, dialed: string, at: Date): Promise<void> {
    const log = this.deps.log.child({ callId, from: callerUsername, to: dialed });
    const caller = await this.deps.directory.findByUsername(callerUsername);
    if (!caller) {
      // Asterisk authenticated an endpoint that has no active user any more (deleted a moment ago).
      log.warn('call from an endpoint with no active user');
      this.channelToCall.delete(channelId);
      await this.safely(log, 'reject caller', () => this.deps.switchControl.reject(channelId, 403));
      return;
    }
    const call = Call.start(callId, { ...caller, channelId }, dialed, at);
    this.calls.set(callId, call);
    await this.save(call, [callRequested(call)]);
    log.info('call requested');
    await this.startCall(call, log);
  }

  private async startCall(call: Call, log: Logger): Promise<void> {
    const callee = await this.deps.directory.findByDialed(call.dialed);
    if (!callee) return this.endCall(call, 'no_route', log);
    call.callee = callee;
    if (!this.transition(call, (state) => state.route(), log)) return;

    const connections = await this.deps.connections.connectionsOf(callee.username);
    if (connections.length === 0) return this.endCall(call, 'unreachable', log);
    const authorization = await this.credit.authorize(call, callee, log);
    if (!authorization.allowed) {
      log.info('call refused by billing', { reason: authorization.reason });
      return this.endCall(call, 'not_allowed', log, { reason: authorization.reason, sipCode: REFUSAL_SIP_CODES[authorization.reason] });
    }
    if (authorization.reservedSeconds !== null) call.talkLimitSeconds = authorization.reservedSeconds;

    const now = this.deps.clock.now().getTime();
    const legs: Leg[] = connections.map((connection) => ({ channelId: newChannelId(), contactUri: connection.contactUri, invitedAt: now }));
    for (const leg of legs) {
      call.legs.push(leg);
      this.channelToCall.set(leg.channelId, call.id);
    }
    call.ringDeadline = now + this.deps.ringTimeoutSeconds * 1000;
    // Saved before dialling: after a crash the legs are known and can be cleaned up.
    await this.save(call, [callRouted(call, now)]);
    this.armRingTimer(call);

    const originated = await Promise.allSettled(legs.map((leg) => this.originate(call, callee, leg)));
    originated.forEach((result, index) => {
      const leg = legs[index];
      if (result.status === 'rejected' && leg && leg.outcome === undefined) {
        log.warn('originate failed', { legChannelId: leg.channelId, error: errorMessage(result.reason) });
        leg.outcome = 'unreachable';
        leg.gone = true;
      }
    });
    log.info('callee devices dialled', { devices: legs.length, failed: legs.filter((leg) => leg.outcome).length });
    await this.failIfNoLegLeft(call, log);
  }

  private originate(call: Call, callee: Party, leg: Leg): Promise<void> {
    return this.deps.switchControl.originate({
      channelId: leg.channelId,
      callId: call.id,
      endpoint: `PJSIP/${callee.username}/${leg.contactUri}`,
      callerId: `"${call.caller.username}" <${call.caller.phoneNumber}>`,
      originatorChannelId: call.caller.channelId,
      timeoutSeconds: this.deps.ringTimeoutSeconds,
    });
  }

  private async onRinging(call: Call, channelId: string, at: Date): Promise<void> {
    const leg = call.leg(channelId);
    if (!leg || leg.outcome !== undefined) return;
    leg.progressAt ??= at.getTime();
    if (call.state.name !== 'routing') return;
    const log = this.logFor(call);
    if (this.transition(call, (state) => state.ring(), log, at)) {
      await this.safely(log, 'ring caller', () => this.deps.switchControl.ring(call.caller.channelId));
      await this.save(call, [callRinging(call, at.getTime())]);
    }
  }

  // The first device to answer wins; every other device gets CANCEL.
  private async onLegAnswered(call: Call, channelId: string, at: Date): Promise<void> {
    const log = this.logFor(call);
    const leg = call.leg(channelId);
    if (!leg) return;
    const control = this.deps.switchControl;
    if (call.state.name !== 'routing' && call.state.name !== 'ringing') {
      leg.outcome = 'cancelled';
      leg.gone = true;
      await this.safely(log, 'hang up late answer', () => control.hangup(channelId, 'answered_elsewhere'));
      return;
    }
    this.transition(call, (state) => state.answer(channelId), log, at);
    leg.outcome = 'answered';
    this.timers.disarmRing(call.id);
    const losers = call.pendingLegs;
    for (const loser of losers) {
      loser.outcome = 'cancelled';
      loser.gone = true;
    }
    const cancelled = Promise.all(losers.map((loser) => this.safely(log, 'cancel other device', () => control.hangup(loser.channelId, 'answered_elsewhere'))));
    try {
      await Promise.all([control.answer(call.caller.channelId), control.createBridge(call.id)]);
      await control.addToBridge(call.id, [call.caller.channelId, channelId]);
    } catch (error) {
      log.error('bridging failed', { error: errorMessage(error) });
      await cancelled;
      await this.endCall(call, 'failed', log);
      return;
    }
    await cancelled;
    const answered = callAnswered(call, at.getTime());
    await this.save(call, [answered]);
    this.armCreditTimers(call);
    log.info('call answered', { setupMs: answered.setupMs, talkLimitSeconds: call.talkLimitSeconds });
  }

  private async onHungUp(call: Call, channelId: string, cause: number, at: Date): Promise<void> {
    if (call.state.isFinal) return;
    const log = this.logFor(call);
    if (call.isCaller(channelId)) {
      const endCause: EndCause = call.state instanceof Answered ? 'completed' : 'cancelled';
      await this.endCall(call, endCause, log, { callerGone: true, at });
      return;
    }
    const leg = call.leg(channelId);
    if (!leg) return;
    leg.gone = true;
    if (call.state instanceof Answered && call.state.answeredLeg === channelId) {
      await this.endCall(call, 'completed', log, { at });
      return;
    }
    if (leg.outcome === undefined) {
      leg.outcome = legOutcomeOf(cause);
      log.info('callee device did not answer', { legChannelId: channelId, cause, outcome: leg.outcome });
      if (!(await this.failIfNoLegLeft(call, log))) await this.save(call);
    }
  }

  private async onRingTimeout(callId: CallId): Promise<void> {
    const call = this.calls.get(callId);
    if (!call || (call.state.name !== 'routing' && call.state.name !== 'ringing')) return;
    const log = this.logFor(call);
    log.info('ring timeout');
    await this.endCall(call, 'no_answer', log, { pendingLegOutcome: 'no_answer' });
  }

  private async reconcileCall(callId: string, channels: Map<string, SwitchChannel>): Promise<void> {
    const call = this.calls.get(callId);
    if (!call || call.state.isFinal) return;
    const log = this.logFor(call);
    try {
      if (!channels.has(call.caller.channelId)) {
        log.info('caller gone while events were lost');
        await this.endCall(call, call.state instanceof Answered ? 'completed' : 'cancelled', log, { callerGone: true });
        return;
      }
      if (call.state instanceof Answered) {
        if (!channels.has(call.state.answeredLeg)) {
          log.info('callee gone while events were lost');
          await this.endCall(call, 'completed', log);
        } else if (!this.timers.hasCredit(call.id)) {
          this.armCreditTimers(call);
        }
        return;
      }
      for (const leg of call.legs) {
        if (!leg.gone && !channels.has(leg.channelId)) {
          leg.gone = true;
          leg.outcome ??= 'unreachable';
        }
      }
      // A device that answered while events were lost waits in Stasis: bridge it now.
      const answered = call.pendingLegs.find((leg) => channels.get(leg.channelId)?.stasisArgs?.[0] === 'leg');
      if (answered) {
        await this.onLegAnswered(call, answered.channelId, this.deps.clock.now());
        return;
      }
      if (await this.failIfNoLegLeft(call, log)) return;
      if (!this.timers.hasRing(call.id)) this.armRingTimer(call);
    } catch (error) {
      log.error('reconciling a call failed', { error: errorMessage(error) });
      await this.failSafe(call.id, { type: 'channel.hungup', channelId: call.caller.channelId, cause: 0, causeText: '', at: this.deps.clock.now() }, log);
    }
  }

  // Ends the call when no device is left ringing; true if it did.
  private async failIfNoLegLeft(call: Call, log: Logger): Promise<boolean> {
    if (call.state.isFinal || call.state instanceof Answered || call.pendingLegs.length > 0) return false;
    const outcomes = call.legs.map((leg) => leg.outcome).filter((outcome) => outcome !== undefined);
    await this.endCall(call, endCauseOfFailedLegs(outcomes), log);
    return true;
  }

  // Ends the call on every channel. A caller whose call failed before answer hears why, as the
  // matching SIP response. The media statistics are read before the channels are hung up.
  private async endCall(
    call: Call,
    cause: EndCause,
    log: Logger,
    options: { callerGone?: boolean; at?: Date; pendingLegOutcome?: LegOutcome; reason?: string; sipCode?: number } = {},
  ): Promise<void> {
    const wasAnswered = call.state instanceof Answered;
    const answeredLeg = call.answeredLeg;
    const quality = wasAnswered && answeredLeg ? await qualityOf(this.deps.switchControl, call.caller.channelId, answeredLeg, log) : {};
    if (!this.transition(call, (state) => state.end(cause), log, options.at)) return;
    this.timers.disarmAll(call.id);
    const control = this.deps.switchControl;
    const work: Promise<void>[] = [];
    for (const leg of call.pendingLegs) leg.outcome = options.pendingLegOutcome ?? 'cancelled';
    for (const leg of call.legs.filter((candidate) => !candidate.gone)) {
      leg.gone = true;
      work.push(this.safely(log, 'hang up device', () => control.hangup(leg.channelId, 'normal')));
    }
    if (!options.callerGone) {
      const sipCode = wasAnswered ? undefined : (options.sipCode ?? sipCodeOf(call.endCause ?? cause));
      call.sipCode = sipCode;
      work.push(
        sipCode
          ? this.safely(log, 'reject caller', () => control.reject(call.caller.channelId, sipCode))
          : this.safely(log, 'hang up caller', () => control.hangup(call.caller.channelId, 'normal')),
      );
    }
    if (wasAnswered) work.push(this.safely(log, 'destroy bridge', () => control.destroyBridge(call.id)));
    await Promise.all(work);
    const ended = callEnded(call, quality, options.reason);
    this.forget(call);
    await this.deps.store.delete(call.id, [ended]);
    log.info('call ended', { cause: ended.cause, sipCode: ended.sipCode, talkMs: ended.talkMs });
  }

  private forget(call: Call): void {
    this.timers.disarmAll(call.id);
    this.calls.delete(call.id);
    for (const channelId of call.channelIds()) this.channelToCall.delete(channelId);
  }

  private async hangUpStray(channelId: string, why: string): Promise<void> {
    this.deps.log.warn('hanging up a channel that belongs to no call', { channelId, why });
    await this.safely(this.deps.log, 'hang up stray channel', () => this.deps.switchControl.hangup(channelId, 'normal'));
  }

  private transition(call: Call, change: (state: CallState) => CallState, log: Logger, at?: Date): boolean {
    try {
      return call.apply(change, at ?? this.deps.clock.now());
    } catch (error) {
      if (error instanceof IllegalTransitionError) {
        log.warn('illegal transition ignored', { from: error.from, transition: error.transition });
        return false;
      }
      throw error;
    }
  }

  private save(call: Call, events: PublishableEvent[] = []): Promise<void> {
    return this.deps.store.save(call, events);
  }

  private armRingTimer(call: Call): void {
    this.timers.armRing(call, () => void this.queue.run(call.id, () => this.onRingTimeout(call.id)));
  }

  // A paid call: ask for more credit shortly before the reserved talk time runs out, and end the
  // call when it is spent.
  private armCreditTimers(call: Call): void {
    this.timers.armCredit(call, {
      onExtendDue: () => void this.queue.run(call.id, () => this.onExtendDue(call.id)),
      onCreditSpent: () => void this.queue.run(call.id, () => this.onCreditSpent(call.id)),
    });
  }

  private async onExtendDue(callId: string): Promise<void> {
    const call = this.calls.get(callId);
    if (!call || !(call.state instanceof Answered)) return;
    const before = call.talkLimitSeconds;
    if (await this.continueCall(call)) {
      this.logFor(call).info('credit extended', { talkLimitSeconds: call.talkLimitSeconds ?? null, before });
      await this.save(call);
      this.armCreditTimers(call);
    }
  }

  private async onCreditSpent(callId: string): Promise<void> {
    const call = this.calls.get(callId);
    if (!call || call.state.isFinal) return;
    const log = this.logFor(call);
    log.info('credit spent: cutting the call off', { talkLimitSeconds: call.talkLimitSeconds });
    await this.endCall(call, 'terminated', log, { reason: 'credit_exhausted' });
  }

  private logFor(call: Call): Logger {
    return this.deps.log.child({ callId: call.id, from: call.caller.username, to: call.dialed });
  }

  // A switch command that may fail without stopping the rest of the clean-up; the failure is logged.
  private async safely(log: Logger, what: string, command: () => Promise<void>): Promise<void> {
    try {
      await command();
    } catch (error) {
      log.warn('switch command failed', { command: what, error: errorMessage(error) });
    }
  }
}
