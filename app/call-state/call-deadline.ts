import { errorMessage } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type Call } from './call';
import { type CallContext } from './call-context';
import { type EndOptions } from './call-teardown';
import { type ChannelTimes } from './ports';
import { type EndCause } from './states';

// The switch hangs a paid call up this long before its reserved talk time is spent: after the
// controller's own cut-off (call-timers' CUTOFF_MARGIN_MS before it), so that a controller that is there ends
// the call itself with its own cause and warning tone, and still before the reserved time is
// over, so that the talk time billed (whole seconds, rounded up) never exceeds what was reserved.
export const SWITCH_CUTOFF_MARGIN_MS = 250;
// A credit cut-off that fires this much after the switch's deadline fired late (the controller was
// stopped or starved): the switch has hung the call up already.
const LATE_CUTOFF_MS = 1000;
// A hang-up the switch saw this much before its deadline was a party's, not the deadline's.
const PARTY_HANGUP_BEFORE_DEADLINE_MS = 1000;

type Limited = Pick<Call, 'talkLimitSeconds' | 'timeOf'>;

// When the switch itself must end the call: its answer plus its reserved talk time, less the
// margin. Undefined for a call nothing limits (free) or not answered yet.
export function hangupDeadlineOf(call: Limited): Date | undefined {
  const answeredAt = call.timeOf('answered');
  if (call.talkLimitSeconds === undefined || answeredAt === undefined) return undefined;
  return new Date(answeredAt + call.talkLimitSeconds * 1000 - SWITCH_CUTOFF_MARGIN_MS);
}

// When the talk ended as the switch saw it: the first hang-up of the caller and the answered leg
// (either ends the talk), never before the answer nor after `now`. Undefined when the switch has
// no hang-up of either.
export function talkEndSeenBySwitch(call: Pick<Call, 'timeOf' | 'answeredLeg' | 'caller'>, times: ReadonlyMap<string, ChannelTimes>, now: Date): Date | undefined {
  const ids = [call.caller.channelId, call.answeredLeg].filter((id): id is string => id !== undefined && id !== '');
  const hangups = ids.map((id) => times.get(id)?.hungUpAt?.getTime()).filter((at): at is number => at !== undefined);
  if (hangups.length === 0) return undefined;
  const answeredAt = call.timeOf('answered') ?? -Infinity;
  return new Date(Math.min(now.getTime(), Math.max(answeredAt, Math.min(...hangups))));
}

// How a credit cut-off that fired late ends: at the switch's own hang-up, known from its log, or
// else at its deadline; a party's hang-up well before the deadline is a completed call. Undefined
// when the cut-off is on time (the controller ends the call now, as usual).
export function lateCutOffOf(deadline: Date | undefined, now: Date, seenBySwitch: Date | undefined): { at: Date; partyHungUp: boolean } | undefined {
  if (deadline === undefined || now.getTime() - deadline.getTime() < LATE_CUTOFF_MS) return undefined;
  if (seenBySwitch === undefined) return { at: deadline, partyHungUp: false };
  return { at: seenBySwitch, partyHungUp: seenBySwitch.getTime() < deadline.getTime() - PARTY_HANGUP_BEFORE_DEADLINE_MS };
}

// The switch's side of a paid call's credit: the deadline it enforces on both channels, and what it
// recorded of calls that ended while the controller was away.
export class CallDeadline {
  constructor(private readonly ctx: CallContext) {}

  // Puts the call's deadline (none: a call that became free) on the caller's channel and on the
  // answered leg's: a mixing bridge does not end when one side leaves, so each must carry it.
  // Throws when the switch could not be told.
  async enforce(call: Call): Promise<void> {
    const leg = call.answeredLeg;
    const at = hangupDeadlineOf(call) ?? null;
    const control = this.ctx.deps.switchControl;
    await Promise.all([call.caller.channelId, leg].filter((id): id is string => id !== undefined && id !== '').map((id) => control.setHangupDeadline(id, at)));
  }

  // At the answer: a paid call's deadline (a free call has none). Throws when the switch could not
  // be told, and the call must then end: no deadline, no call.
  atAnswer(call: Call): Promise<void> {
    return call.talkLimitSeconds === undefined ? Promise.resolve() : this.enforce(call);
  }

  // After an extension: the deadline moves forward. If the switch cannot be told, it keeps the
  // previous one and the call ends there (fail closed), which the log says.
  async move(call: Call, log: Logger): Promise<void> {
    try {
      await this.enforce(call);
    } catch (error) {
      log.error('switch deadline not moved: the call ends at the previous one', { error: errorMessage(error), talkLimitSeconds: call.talkLimitSeconds ?? null });
    }
  }

  // When the switch saw this answered call end, from its own log; undefined without a log or a
  // record (or when the log cannot be read, which is logged).
  async endSeenBySwitch(call: Call, log: Logger): Promise<Date | undefined> {
    const switchLog = this.ctx.deps.switchLog;
    const answeredAt = call.timeOf('answered');
    if (!switchLog || answeredAt === undefined) return undefined;
    const ids = [call.caller.channelId, call.answeredLeg].filter((id): id is string => id !== undefined && id !== '');
    try {
      return talkEndSeenBySwitch(call, await switchLog.timesOf(ids, new Date(answeredAt)), this.ctx.deps.clock.now());
    } catch (error) {
      log.warn('switch call log not read', { error: errorMessage(error) });
      return undefined;
    }
  }

  // How a credit cut-off ends the call: now, as the platform's cut-off; fired late, at the switch's
  // own end of it (lateCutOffOf), a party's hang-up then being a completed call.
  async cutOff(call: Call, log: Logger): Promise<{ cause: EndCause; options: EndOptions }> {
    const cutOff = { cause: 'terminated' as const, options: { reason: 'credit_exhausted' } };
    const deadline = hangupDeadlineOf(call);
    const now = this.ctx.deps.clock.now();
    if (lateCutOffOf(deadline, now, undefined) === undefined) return cutOff;
    const late = lateCutOffOf(deadline, now, await this.endSeenBySwitch(call, log));
    if (!late) return cutOff;
    return late.partyHungUp ? { cause: 'completed', options: { at: late.at } } : { cause: cutOff.cause, options: { ...cutOff.options, at: late.at } };
  }
}
