import { errorMessage } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type Call, type Leg } from './call';
import { type CallContext } from './call-context';
import { callAnswered, callRinging } from './call-events';
import { endIfNoLegLeft } from './call-teardown';
import { isRetryableOnAnotherCarrier, legOutcomeOf } from './end-causes';
import { type DialStatus, type SwitchEvent } from './ports';
import { Answered } from './states';
import { isTrying, legAnswered, legCancelled, legFailed, legFinished, legProgressed, legRang, legReleased, outcomeOf } from './leg-states';

// The paid call is cut this much before its reserved time is spent, so that the talk time billed
// (whole seconds, rounded up) never exceeds what was reserved (as call-timers.ts does).
const CUTOFF_MARGIN_SECONDS = 0.5;

// Q.850 causes of a Dial() that ended without one: what each status says about the attempt.
const CAUSE_OF_STATUS: Record<DialStatus, number> = { busy: 17, no_answer: 19, congestion: 34, unavailable: 20, cancelled: 16, other: 0 };

type TargetEvent = Extract<SwitchEvent, { type: 'target.dialled' | 'target.progress' | 'target.ringing' | 'target.answered' }>;
type DialEnded = Extract<SwitchEvent, { type: 'dial.ended' }>;

// A target the switch is asked to ring: the leg that records it and the endpoint it is dialled at.
export interface SwitchTarget {
  leg: Leg;
  endpoint: string;
}

// The lean call path (CALL_PATH=dialplan): the controller decides as on the Stasis path (who may
// call, which devices or carriers in which order, the credit granted), then hands the caller's
// channel to the switch's own Dial() (asterisk/conf/extensions.conf [dial-plan]), which rings the
// targets in parallel, passes early media on, bridges the first to answer, cancels the others and
// ends the call when the granted talk time is spent. The controller follows the caller's channel
// (target.* events, its hang-up) to publish, bill and record; a Dial() that ends without an answer
// hands the caller back (dial.ended) and the failover rule decides what is next. The legs are the
// switch's own channels: the controller never commands them (they are `gone` for it from the start).
export class SwitchDialling {
  constructor(
    private readonly ctx: CallContext,
    private readonly nextCarrier: (call: Call, log: Logger) => Promise<void>,
  ) {}

  // A call that arrived from a device or a carrier takes the lean path when it is on; a
  // click-to-call (its caller is a leg the controller originated) stays on the Stasis path.
  arrived(callId: string): void {
    if (this.ctx.deps.callPath === 'dialplan') this.ctx.switchDiallable.add(callId);
  }

  appliesTo(callId: string): boolean {
    return this.ctx.switchDiallable.has(callId);
  }

  // Whether the switch dials this call's targets (the controller does not own its legs).
  handles(callId: string): boolean {
    return this.ctx.dialledBySwitch.has(callId);
  }

  // Hands the caller to the switch to ring these targets until the call's ring deadline. False when
  // the switch refused (the call is then ended as failed by the caller of this).
  async handOff(call: Call, targets: SwitchTarget[], log: Logger): Promise<boolean> {
    const followed = this.ctx.dialledBySwitch.has(call.id);
    this.ctx.dialledBySwitch.add(call.id);
    for (const { leg, endpoint } of targets) {
      // The switch's Dial() owns the channel: the controller has nothing to hang up.
      leg.state = legReleased(leg.state);
      this.ctx.switchTargets.set(leg.channelId, endpoint);
    }
    const now = this.ctx.deps.clock.now().getTime();
    const ringTimeoutSeconds = Math.max(1, ((call.ringDeadline ?? now) - now) / 1000);
    const limit = call.talkLimitSeconds;
    try {
      this.ctx.callerInDialplan.add(call.id);
      await this.ctx.deps.switchControl.handOff(call.caller.channelId, {
        callId: call.id,
        endpoints: targets.map((target) => target.endpoint),
        ringTimeoutSeconds,
        ...(limit !== undefined ? { talkLimitSeconds: limit - CUTOFF_MARGIN_SECONDS } : {}),
        followed,
      });
      return true;
    } catch (error) {
      this.ctx.callerInDialplan.delete(call.id);
      log.warn('hand-off to the switch failed', { error: errorMessage(error) });
      for (const { leg } of targets) leg.state = legFailed(leg.state, 'unreachable');
      return false;
    }
  }

  async onTarget(call: Call, event: TargetEvent): Promise<void> {
    if (event.type === 'target.dialled') {
      const dialled = call.legs.find((leg) => isTrying(leg.state) && this.ctx.switchTargets.get(leg.channelId) === event.endpoint);
      if (dialled) this.ctx.switchLegs.set(event.targetChannelId, dialled.channelId);
      return;
    }
    const leg = call.leg(this.ctx.switchLegs.get(event.targetChannelId) ?? '');
    if (!leg || !isTrying(leg.state) || call.state.isFinal) return;
    const log = this.ctx.logFor(call);
    leg.progressAt ??= event.at.getTime();
    leg.state = event.type === 'target.progress' ? legProgressed(leg.state) : event.type === 'target.ringing' ? legRang(leg.state) : leg.state;
    if (event.type === 'target.answered') return this.answered(call, leg, event.at, log);
    // Dial() tells the caller itself (180, or 183 with the target's early media).
    if (call.state.name === 'routing' && this.ctx.transition(call, (state) => state.ring(), log, event.at)) {
      await this.ctx.save(call, [callRinging(call, event.at.getTime())]);
    }
  }

  private async answered(call: Call, leg: Leg, at: Date, log: Logger): Promise<void> {
    if (call.state.name !== 'routing' && call.state.name !== 'ringing') return;
    this.ctx.transition(call, (state) => state.answer(leg.channelId), log, at);
    leg.state = legAnswered(leg.state);
    if (leg.carrierId) call.carrierId = leg.carrierId;
    this.ctx.timers.disarmRing(call.id);
    // Dial() cancelled the others (answered elsewhere).
    for (const loser of call.pendingLegs) loser.state = legCancelled(loser.state);
    await Promise.all(call.legs.filter((other) => other !== leg).map((other) => this.ctx.releaseSlot(other.channelId, log)));
    const answered = callAnswered(call, at.getTime());
    await this.ctx.save(call, [answered]);
    log.info('call answered', { setupMs: answered.setupMs, talkLimitSeconds: call.talkLimitSeconds, carrierId: call.carrierId, path: 'dialplan' });
  }

  // Dial() ended without an answer and the caller is back in the application: the next carrier if
  // the failover rule allows one, or the caller hears the most telling outcome.
  async onDialEnded(call: Call, event: DialEnded): Promise<void> {
    this.ctx.callerInDialplan.delete(call.id);
    if (call.state.isFinal) return;
    const log = this.ctx.logFor(call);
    const cause = event.cause || CAUSE_OF_STATUS[event.status];
    const pending = call.pendingLegs;
    // The controller gave up on a carrier that made no progress (its leg failed already): next one.
    const last = call.legs[call.legs.length - 1];
    if (pending.length === 0 && last?.carrierId) return this.nextCarrier(call, log);
    for (const leg of pending) {
      leg.state = legFinished(leg.state, legOutcomeOf(cause, event.sipCode), event.sipCode);
      await this.ctx.releaseSlot(leg.channelId, log);
    }
    log.info('switch dialling ended', { status: event.status, cause, sipCode: event.sipCode, outcome: last && outcomeOf(last.state), carrierId: last?.carrierId });
    if (last?.carrierId && isRetryableOnAnotherCarrier(outcomeOf(last.state), event.sipCode)) return this.nextCarrier(call, log);
    if (!(await endIfNoLegLeft(this.ctx, call, log))) await this.ctx.save(call);
  }

  // A carrier that does not even say it is trying (no 18x) is given up on: its channel is hung up,
  // Dial() returns, and dial.ended brings the next carrier.
  armProgressTimer(call: Call, leg: Leg, seconds: number): void {
    this.ctx.timers.armAfter(`${call.id}:${leg.channelId}`, seconds * 1000, () =>
      void this.ctx.queue.run(call.id, async () => {
        if (!isTrying(leg.state) || leg.progressAt !== undefined || call.state.name === 'answered' || call.state.isFinal) return;
        const target = [...this.ctx.switchLegs].find(([, legId]) => legId === leg.channelId)?.[0];
        if (target === undefined) return;
        const log = this.ctx.logFor(call);
        log.info('carrier gave no progress in time', { carrierId: leg.carrierId, seconds });
        leg.state = legFailed(leg.state, 'no_answer');
        await this.ctx.releaseSlot(leg.channelId, log);
        await this.ctx.safely(log, 'give up on carrier', () => this.ctx.deps.switchControl.hangup(target, 'normal'));
      }),
    );
  }

  // The caller left the application: only into the switch's dialling (not an end) when handed off.
  isHandOffExit(call: Call, channelId: string, leftApp: boolean | undefined): boolean {
    return leftApp === true && call.isCaller(channelId) && this.ctx.callerInDialplan.has(call.id);
  }

  // The caller's channel of an answered call ended when its granted talk time did: the switch cut it.
  cutBySwitch(call: Call, at: Date): boolean {
    const answeredAt = call.timeOf('answered');
    const limit = call.talkLimitSeconds;
    if (!(call.state instanceof Answered) || answeredAt === undefined || limit === undefined) return false;
    return at.getTime() >= answeredAt + (limit - CUTOFF_MARGIN_SECONDS - 1) * 1000;
  }

  // The new end of a granted talk time, told to the switch.
  async moveDeadline(call: Call, log: Logger): Promise<void> {
    const answeredAt = call.timeOf('answered');
    const limit = call.talkLimitSeconds;
    const control = this.ctx.deps.switchControl;
    // No limit any more (a free call): a deadline far away rather than none, so that a lost update
    // never leaves the old one standing.
    const at = answeredAt === undefined || limit === undefined ? new Date(this.ctx.deps.clock.now().getTime() + 365 * 86_400_000) : new Date(answeredAt + (limit - CUTOFF_MARGIN_SECONDS) * 1000);
    await this.ctx.safely(log, 'move hangup deadline', () => control.setHangupDeadline(call.caller.channelId, at));
  }
}
