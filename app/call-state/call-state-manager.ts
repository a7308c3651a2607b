import { type CallId, newCallId, errorMessage } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type Call, type Party } from './call';
import { CallContext, type CallStateManagerDeps } from './call-context';
import { CallDeadline } from './call-deadline';
import { callAnswered } from './call-events';
import { CallProgress } from './call-progress';
import { type Baseline, CallRecovery } from './call-recovery';
import { DeadOwnerCalls } from './dead-owner-calls';
import { CallSetup } from './call-setup';
import { endCall, endIfNoLegLeft, type EndOptions } from './call-teardown';
import { ClickToCall } from './click-to-call';
import { legOutcomeOf, sipCodeOf } from './end-causes';
import { isTrying, legFinished, legReleased } from './leg-states';
import { calleeAnswered, carrierLegFailed } from './phase-transitions';
import { type SwitchBridge, type SwitchChannel, type SwitchEvent } from './ports';
import { Answered, type EndCause } from './states';

export type { CallStateManagerDeps } from './call-context';

// A call the switch dials itself is cut off by the switch at its grant; the controller ends it only
// if it is still up this long after.
const SWITCH_CUTOFF_GRACE_MS = 2000;

// The brain: decides which channels to bridge and when a call ends; the switch only executes.
// Events of one call are applied one at a time, in order; calls do not wait on each other. Every
// change is written through to the call store together with its call.v1.* event.
export class CallStateManager {
  private readonly ctx: CallContext;
  private readonly setup: CallSetup;
  private readonly progress: CallProgress;
  private readonly recovery: CallRecovery;
  private readonly clickToCall: ClickToCall;
  private readonly deadline: CallDeadline;
  private readonly deadOwners: DeadOwnerCalls;

  constructor(deps: CallStateManagerDeps) {
    this.ctx = new CallContext(deps);
    this.deadline = new CallDeadline(this.ctx);
    this.setup = new CallSetup(this.ctx);
    this.progress = new CallProgress(this.ctx);
    this.clickToCall = new ClickToCall(this.ctx, this.setup);
    this.recovery = new CallRecovery(this.ctx, this.setup, this.deadline, {
      end: (call, cause, log, options) => this.end(call, cause, log, options),
      legAnswered: (call, channelId, at) => this.onLegAnswered(call, channelId, at),
      armCreditTimers: (call) => this.armCreditTimers(call),
      failSafe: (callId, event, log) => this.failSafe(callId, event, log),
      callerDevicesFound: (call, present) => this.clickToCall.reconcile(call, present),
    });
    this.deadOwners = new DeadOwnerCalls(this.ctx, { end: (call, cause, log, options) => this.end(call, cause, log, options) });
  }

  // Entry point for every switch event. Synchronous up to the queue, so arrival order is kept.
  handle(event: SwitchEvent): Promise<void> {
    const callId = this.callIdFor(event);
    if (!callId) {
      if (event.type === 'leg.answered') return this.recovery.hangUpStray(event.channelId, 'answered leg of no call');
      this.ctx.deps.log.debug('switch event for a channel of no call', { type: event.type, channelId: event.channelId });
      return Promise.resolve();
    }
    return this.ctx.queue.run(callId, () => this.apply(callId, event));
  }

  liveCallCount(): number {
    return this.ctx.calls.size;
  }

  ownsCall(callId: string): boolean {
    return this.ctx.calls.has(callId);
  }

  // continueCall of the design: may this call go on past the talk time reserved so far?
  continueCall(call: Call): Promise<boolean> {
    return this.ctx.credit.continueCall(call, this.ctx.logFor(call));
  }

  // startCall(from, to) of the design, as click-to-call: rings the devices of the user `from`; the
  // first to answer calls `to` as if it had dialled it. Resolves with the call's id once the switch
  // rings at least one device; throws CallerUnreachableError when there is none to ring.
  startCall(from: Party, to: string): Promise<CallId> {
    return this.clickToCall.start(from, to);
  }

  // An operator ends a live call (reason: operator, or user_suspended / user_deleted when the
  // platform bars its user). False when this instance does not drive it.
  async terminate(callId: string, reason = 'operator'): Promise<boolean> {
    if (!this.ctx.calls.has(callId)) return false;
    await this.ctx.queue.run(callId, async () => {
      const call = this.ctx.calls.get(callId);
      if (call && !call.state.isFinal) await this.end(call, 'terminated', this.ctx.logFor(call), { reason });
    });
    return true;
  }

  // After a restart: take over the live calls kept in the store, before any switch event arrives.
  recover(): Promise<number> {
    return this.recovery.recover();
  }

  // After the event connection (re)opened: events may have been lost, so compare every live call
  // with the channels Asterisk really has, and hang up channels of ours that belong to no call.
  // eventsLostAt: on a reconnection, when the previous connection stopped delivering events.
  resync(connectedAt: Date, eventsLostAt?: Date): Promise<void> {
    return this.recovery.resync(connectedAt, eventsLostAt);
  }

  // For a caller that has just listed the switch's channels and bridges itself (baseline: now).
  reconcile(channels: SwitchChannel[], connectedAt: Date, bridges: SwitchBridge[] = [], baseline: Baseline = this.recovery.baseline()): Promise<void> {
    return this.recovery.reconcile(channels, connectedAt, bridges, baseline);
  }

  // Closes the calls of instances gone for longer than boundMs that nobody adopted (a fleet node
  // that never came back), at their owner's last heartbeat. The number closed.
  closeCallsOfDeadInstances(boundMs: number): Promise<number> {
    return this.deadOwners.close(boundMs);
  }

  // Ends every call this instance drives at `seenAt`: its switch has been gone too long to come back
  // with their channels (a fleet node's Asterisk died while this controller lives).
  closeCallsOfLostSwitch(seenAt: Date): Promise<number> {
    return this.deadOwners.closeOwn(seenAt);
  }

  // Refreshes the store's safety TTL of every call this instance drives, and its carrier slots.
  keepAlive(): Promise<void> {
    return this.recovery.keepAlive();
  }

  private callIdFor(event: SwitchEvent): CallId | undefined {
    if (event.type === 'call.arrived') {
      if (this.ctx.channelToCall.has(event.channelId)) {
        // The same channel entering Stasis again is not a new call.
        this.ctx.deps.log.warn('channel of a live call arrived again', { channelId: event.channelId });
        return undefined;
      }
      const callId = newCallId();
      this.ctx.channelToCall.set(event.channelId, callId);
      return callId;
    }
    return this.ctx.channelToCall.get(event.channelId);
  }

  private async apply(callId: CallId, event: SwitchEvent): Promise<void> {
    try {
      if (event.type === 'call.arrived') {
        await this.setup.arrived(callId, event.channelId, event.origin, event.dialed, event.at);
        return;
      }
      const call = this.ctx.calls.get(callId);
      if (!call) return;
      switch (event.type) {
        case 'channel.ringing':
          return await this.progress.onRinging(call, event.channelId, event.at);
        case 'channel.progress':
          return await this.progress.onProgress(call, event.channelId, event.at);
        case 'leg.answered':
          return await this.onLegAnswered(call, event.channelId, event.at);
        case 'channel.hungup':
          return await this.onHungUp(call, event.channelId, event.cause, event.sipCode, event.at, event.leftApp);
        case 'target.dialled':
        case 'target.progress':
        case 'target.ringing':
          return await this.setup.dialling.onTarget(call, event);
        case 'target.answered':
          await this.setup.dialling.onTarget(call, event);
          if (call.state instanceof Answered) this.armCreditTimers(call);
          return;
        case 'dial.ended':
          return await this.setup.dialling.onDialEnded(call, event);
      }
    } catch (error) {
      const log = this.ctx.deps.log.child({ callId });
      log.error('call event failed', { type: event.type, channelId: event.channelId, error: errorMessage(error) });
      await this.failSafe(callId, event, log);
    }
  }

  // A dependency failed in the middle of a call (database, store, switch): end the call cleanly
  // rather than leave channels waiting in Stasis.
  private async failSafe(callId: CallId, event: SwitchEvent, log: Logger): Promise<void> {
    const call = this.ctx.calls.get(callId);
    try {
      if (call && !call.state.isFinal) {
        await this.end(call, 'failed', log);
      } else if (!call && event.type === 'call.arrived') {
        this.ctx.channelToCall.delete(event.channelId);
        await this.ctx.deps.switchControl.reject(event.channelId, sipCodeOf('failed') ?? 503);
      }
    } catch (error) {
      log.error('could not end the failed call', { error: errorMessage(error) });
      if (call) this.forget(call);
    }
  }

  // The first device (or carrier) to answer wins; every other device gets CANCEL. Runs the effects
  // of the pure calleeAnswered transition (phase-transitions.ts).
  private async onLegAnswered(call: Call, channelId: string, at: Date): Promise<void> {
    const ctx = this.ctx;
    const log = ctx.logFor(call);
    if (call.state.callerDevices.includes(channelId)) return this.clickToCall.callerAnswered(call, channelId);
    // The same answer told twice changes nothing (and must not hang the call up as a late one).
    if (call.state instanceof Answered && call.state.answeredLeg === channelId) return;
    const step = calleeAnswered(call.state, call.caller.channelId, call.legs, channelId);
    for (const leg of call.legs) leg.state = step.legs.get(leg.channelId) ?? leg.state;
    const connect = step.effects.find((effect) => effect.kind === 'connect');
    const cancelled = Promise.all(step.effects.map((effect) => (effect.kind === 'cancel-legs' ? this.cancelLegs(effect.channelIds, log) : Promise.resolve())));
    if (!connect) {
      await cancelled;
      return;
    }
    ctx.transition(call, () => step.next, log, at);
    const leg = call.leg(channelId);
    if (leg?.carrierId) call.carrierId = leg.carrierId;
    ctx.timers.disarmRing(call.id);
    const control = ctx.deps.switchControl;
    // A paid call gets its deadline on the switch with its answer; no deadline, no call (fail closed).
    const deadline = this.deadline.atAnswer(call);
    try {
      await Promise.all([control.answer(call.caller.channelId), connect.createBridge ? control.createBridge(call.id) : Promise.resolve(), deadline]);
      if (connect.joining.length > 0) await control.addToBridge(call.id, connect.joining);
    } catch (error) {
      log.error('bridging failed', { error: errorMessage(error) });
      await cancelled;
      await this.end(call, 'failed', log);
      return;
    }
    await cancelled;
    const answered = callAnswered(call, at.getTime());
    await ctx.save(call, [answered]);
    this.armCreditTimers(call);
    log.info('call answered', { setupMs: answered.setupMs, talkLimitSeconds: call.talkLimitSeconds, carrierId: call.carrierId });
  }

  // The CancelLegs effect: each leg hung up as answered elsewhere, its carrier slot given back.
  private async cancelLegs(channelIds: readonly string[], log: Logger): Promise<void> {
    await Promise.all(
      channelIds.map(async (channelId) => {
        await this.ctx.safely(log, 'cancel other device', () => this.ctx.deps.switchControl.hangup(channelId, 'answered_elsewhere'));
        await this.ctx.releaseSlot(channelId, log);
      }),
    );
  }

  private async onHungUp(call: Call, channelId: string, cause: number, sipCode: number | undefined, at: Date, leftApp?: boolean): Promise<void> {
    if (call.state.isFinal) return;
    if (call.state.callerDevices.includes(channelId)) return this.clickToCall.callerDeviceGone(call, channelId);
    const log = this.ctx.logFor(call);
    // The caller went on into the switch's dialling: not an end.
    if (this.setup.dialling.isHandOffExit(call, channelId, leftApp)) return;
    if (call.isCaller(channelId) && this.setup.dialling.cutBySwitch(call, at)) {
      await this.end(call, 'terminated', log, { callerGone: true, at, reason: 'credit_exhausted' });
      return;
    }
    if (call.isCaller(channelId)) {
      const endCause: EndCause = call.state instanceof Answered ? 'completed' : 'cancelled';
      await this.end(call, endCause, log, { callerGone: true, at });
      return;
    }
    const leg = call.leg(channelId);
    if (!leg) return;
    leg.state = legReleased(leg.state);
    await this.ctx.releaseSlot(channelId, log);
    if (call.state instanceof Answered && call.state.answeredLeg === channelId) {
      await this.end(call, 'completed', log, { at });
      return;
    }
    if (!isTrying(leg.state)) return;
    const outcome = legOutcomeOf(cause, sipCode);
    leg.state = legFinished(leg.state, outcome, sipCode);
    log.info('callee device did not answer', { legChannelId: channelId, cause, sipCode, outcome, carrierId: leg.carrierId });
    // A carrier that failed is replaced by the next one; a person's final answer (busy, declined) ends the call.
    if (leg.carrierId && carrierLegFailed(call.state, { outcome, sipCode }).effects[0]?.kind === 'try-carrier') {
      await this.setup.dialNextCarrier(call, log);
      return;
    }
    if (!(await endIfNoLegLeft(this.ctx, call, log))) await this.ctx.save(call);
  }

  // A paid call: ask for more credit shortly before the reserved talk time runs out, and end the
  // call when it is spent.
  private armCreditTimers(call: Call): void {
    const limit = call.talkLimitSeconds;
    this.ctx.timers.armCredit(call, {
      onExtendDue: () => this.ctx.runTimed(call.id, 'credit extension', () => this.onExtendDue(call.id)),
      onCreditLow: () => this.ctx.runTimed(call.id, 'credit warning', () => this.onCreditLow(call.id, limit)),
      onCreditSpent: () => this.ctx.runTimed(call.id, 'credit cut-off', () => this.onCreditSpent(call.id)),
    });
  }

  // The credit could not be extended: the caller hears a tone before the cut-off. Not if an
  // extension that was still on its way has moved the limit since.
  private async onCreditLow(callId: string, limit: number | undefined): Promise<void> {
    const call = this.ctx.calls.get(callId);
    if (!call || !(call.state instanceof Answered) || call.talkLimitSeconds !== limit) return;
    const log = this.ctx.logFor(call);
    log.info('credit running out: warning tone', { talkLimitSeconds: limit });
    await this.ctx.safely(log, 'play warning tone', () => this.ctx.deps.switchControl.playTone(call.caller.channelId));
  }

  private async onExtendDue(callId: string): Promise<void> {
    const call = this.ctx.calls.get(callId);
    if (!call || !(call.state instanceof Answered)) return;
    const before = call.talkLimitSeconds;
    if (await this.continueCall(call)) {
      const log = this.ctx.logFor(call);
      log.info('credit extended', { talkLimitSeconds: call.talkLimitSeconds ?? null, before });
      await this.ctx.save(call);
      this.armCreditTimers(call);
      // The lean path's caller is out in the dialplan: its deadline moves through the dialling.
      if (this.setup.dialling.handles(call.id)) await this.setup.dialling.moveDeadline(call, log);
      else await this.deadline.move(call, log);
    }
  }

  private async onCreditSpent(callId: string): Promise<void> {
    const call = this.ctx.calls.get(callId);
    if (!call || call.state.isFinal) return;
    const log = this.ctx.logFor(call);
    if (this.setup.dialling.handles(call.id)) {
      // The switch cuts the call itself (TIMEOUT(absolute)); the controller only makes sure.
      this.ctx.timers.armAfter(`${callId}:switch-cutoff`, SWITCH_CUTOFF_GRACE_MS, () => void this.ctx.queue.run(callId, () => this.onSwitchMissedCutoff(callId)));
      return;
    }
    // A cut-off that fires late (the controller was stopped or starved) ends the call when the switch did.
    const { cause, options } = await this.deadline.cutOff(call, log);
    log.info('credit spent: cutting the call off', { talkLimitSeconds: call.talkLimitSeconds, lateEndedAt: options.at?.toISOString() });
    await this.end(call, cause, log, options);
  }

  private async onSwitchMissedCutoff(callId: string): Promise<void> {
    const call = this.ctx.calls.get(callId);
    if (!call || call.state.isFinal) return;
    const log = this.ctx.logFor(call);
    log.warn('the switch did not cut the call off at its grant: the controller does', { talkLimitSeconds: call.talkLimitSeconds });
    await this.end(call, 'terminated', log, { reason: 'credit_exhausted' });
  }

  private async end(call: Call, cause: EndCause, log: Logger, options: EndOptions = {}): Promise<void> {
    await this.clickToCall.abandon(call, log);
    await endCall(this.ctx, call, cause, log, options);
  }

  private forget(call: Call): void {
    this.ctx.forget(call);
  }
}
