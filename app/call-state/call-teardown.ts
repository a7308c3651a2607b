import { errorMessage } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type AdmittedCall } from './call-admission-port';
import { type Call } from './call';
import { type CallContext } from './call-context';
import { callEnded } from './call-events';
import { qualityOf } from './call-quality';
import { endCauseOfFailedLegs, sipCodeOf } from './end-causes';
import { type LegOutcome, legFinished, legReleased, outcomeOf } from './leg-states';
import { Answered, type EndCause } from './states';

export interface EndOptions {
  // The caller already hung up: nothing to tell it.
  callerGone?: boolean;
  at?: Date;
  // What the devices still ringing are recorded as (default: cancelled).
  pendingLegOutcome?: Exclude<LegOutcome, 'answered'>;
  // Why the platform ended or refused the call (operator, credit_exhausted, no_credit, ...).
  reason?: string;
  // The SIP response for a refused call, when not the cause's usual one.
  sipCode?: number;
  // `at` is the last moment the call was known alive, not when it really ended (events were lost).
  endTimeEstimated?: boolean;
}

// Ends a call on every channel. A caller whose call failed before answer hears why, as the matching
// SIP response. The media statistics are read before the channels are hung up; the last event is
// queued in the same step that forgets the call. The end time is taken before the statistics are
// read (up to a second each over ARI): that wait is no talk time.
export async function endCall(ctx: CallContext, call: Call, cause: EndCause, log: Logger, options: EndOptions = {}): Promise<void> {
  const at = options.at ?? ctx.deps.clock.now();
  const wasAnswered = call.state instanceof Answered;
  const answeredLeg = call.answeredLeg;
  const control = ctx.deps.switchControl;
  // A call the switch dialled itself: its legs are the switch's, and its caller is usually gone.
  const dialledBySwitch = ctx.dialledBySwitch.has(call.id);
  const callerInDialplan = ctx.callerInDialplan.has(call.id);
  const quality = wasAnswered && answeredLeg && !dialledBySwitch ? await qualityOf(control, call.caller.channelId, answeredLeg, log) : {};
  const hadEarlyMedia = call.state.earlyMedia.length > 0;
  if (!ctx.transition(call, (state) => state.end(cause), log, at)) return;
  ctx.timers.disarmAll(call.id);
  const work: Promise<void>[] = [];
  for (const leg of call.pendingLegs) leg.state = legFinished(leg.state, options.pendingLegOutcome ?? 'cancelled');
  for (const leg of call.legs.filter((candidate) => !candidate.state.released)) {
    leg.state = legReleased(leg.state);
    work.push(ctx.safely(log, 'hang up device', () => control.hangup(leg.channelId, 'normal')));
  }
  for (const leg of call.legs) work.push(ctx.releaseSlot(leg.channelId, log));
  // A click-to-call whose caller never answered has no caller channel to tell.
  if (!options.callerGone && call.caller.channelId !== '') {
    const sipCode = wasAnswered ? undefined : (options.sipCode ?? sipCodeOf(call.endCause ?? cause));
    call.sipCode = sipCode;
    // Out in the switch's dialplan, the caller can only be hung up (Dial() then cancels its targets).
    work.push(
      sipCode && !callerInDialplan
        ? ctx.safely(log, 'reject caller', () => control.reject(call.caller.channelId, sipCode))
        : ctx.safely(log, 'hang up caller', () => control.hangup(call.caller.channelId, 'normal')),
    );
  }
  // A call to the phone network may have a bridge before its answer (early media, in the phase's
  // data); a call stored by an older controller does not say, so every outbound call's bridge is
  // destroyed (none there is no error).
  if (!dialledBySwitch && (wasAnswered || hadEarlyMedia || call.direction === 'outbound')) work.push(ctx.safely(log, 'destroy bridge', () => control.destroyBridge(call.id)));
  // [call-policy hook] the call's per-user slots are given back.
  if (ctx.deps.admission && !call.emergency && (call.caller.userId || call.callee?.userId)) {
    const admission = ctx.deps.admission;
    work.push(admission.released(admittedCallOf(call)).catch((error: unknown) => log.warn('call slots not released', { error: errorMessage(error) })));
  }
  await Promise.all(work);
  const ended = callEnded(call, quality, { reason: options.reason, endTimeEstimated: options.endTimeEstimated });
  ctx.forget(call);
  await ctx.remove(call, [ended]);
  // Not awaited: the call is over, and its settlement must not hold up what the call's handler
  // does next (ctx.credit.ended never rejects).
  void ctx.credit.ended(call, ended, log);
  log.info('call ended', { cause: ended.cause, reason: ended.reason, sipCode: ended.sipCode, talkMs: ended.talkMs, endTimeEstimated: ended.endTimeEstimated });
}

// Ends the call when no device (or carrier) is left trying; true if it did.
export async function endIfNoLegLeft(ctx: CallContext, call: Call, log: Logger): Promise<boolean> {
  if (call.state.isFinal || call.state instanceof Answered || call.pendingLegs.length > 0) return false;
  const outcomes = call.legs.map((leg) => outcomeOf(leg.state)).filter((outcome) => outcome !== undefined);
  const cause = endCauseOfFailedLegs(outcomes);
  // Every carrier failed: the phone network could not be reached, which is the platform's problem.
  const carriersFailed = call.direction === 'outbound' && cause === 'unreachable';
  await endCall(ctx, call, cause, log, carriersFailed ? { sipCode: 503, reason: 'carriers_failed' } : {});
  return true;
}

// A call as the admission rules count it.
export function admittedCallOf(call: Call): AdmittedCall {
  const { channelId: _channel, ...caller } = call.caller;
  const callee = call.callee?.userId ? { callee: call.callee } : {};
  return { id: call.id, caller, pstn: call.direction === 'outbound', ...callee };
}
