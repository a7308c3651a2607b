import { type Cancel, type Clock, type Scheduler } from '../shared/kernel';
import { type Call } from './call';

// More credit is asked for this long before the reserved talk time runs out, and at least this
// long before the warning tone: the tone is for a call whose credit could not be extended.
const EXTEND_LEAD_MS = 10_000;
const EXTEND_BEFORE_WARNING_MS = 2_000;
// The call is cut this much before its reserved time is spent, so that the talk time billed (whole
// seconds, rounded up) never exceeds what was reserved.
export const CUTOFF_MARGIN_MS = 500;

// The timers of live calls: the ring timeout while devices ring, and for a paid call the moment to
// ask for more credit, the moment to warn the caller (warningSeconds before the cut-off; 0: never)
// and the moment its credit is spent. Times come from the call itself (ring deadline, answer
// time, talk limit), so timers re-armed after a restart fire when they should.
export class CallTimers {
  private readonly ring = new Map<string, Cancel>();
  private readonly credit = new Map<string, Cancel[]>();
  // Other per-call timers, keyed "<callId>:<what>" (e.g. a carrier attempt's progress timeout).
  private readonly others = new Map<string, Cancel>();

  private readonly warningMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly scheduler: Scheduler,
    options: { warningSeconds?: number } = {},
  ) {
    this.warningMs = Math.max(0, options.warningSeconds ?? 0) * 1000;
  }

  armRing(call: Call, onTimeout: () => void): void {
    this.disarmRing(call.id);
    this.ring.set(call.id, this.scheduler.after(this.delayUntil(call.ringDeadline ?? 0), onTimeout));
  }

  hasRing(callId: string): boolean {
    return this.ring.has(callId);
  }

  disarmRing(callId: string): void {
    this.ring.get(callId)?.();
    this.ring.delete(callId);
  }

  // Nothing is armed for a call without a talk limit (free) or not answered yet. A successful
  // extension re-arms all three, so the warning only fires for a limit that was not extended
  // (onCreditLow should still check that the limit is the one it was armed for: an extension may
  // be on its way when the warning is due).
  armCredit(call: Call, handlers: { onExtendDue: () => void; onCreditSpent: () => void; onCreditLow?: () => void }): void {
    this.disarmCredit(call.id);
    const limit = call.talkLimitSeconds;
    const answeredAt = call.timeOf('answered');
    if (limit === undefined || answeredAt === undefined || call.state.isFinal) return;
    const spentAt = answeredAt + limit * 1000 - CUTOFF_MARGIN_MS;
    const extendAt = Math.max(answeredAt, answeredAt + limit * 1000 - Math.max(EXTEND_LEAD_MS, this.warningMs + EXTEND_BEFORE_WARNING_MS));
    const timers = [this.scheduler.after(this.delayUntil(extendAt), handlers.onExtendDue)];
    if (this.warningMs > 0 && handlers.onCreditLow) timers.push(this.scheduler.after(this.delayUntil(spentAt - this.warningMs), handlers.onCreditLow));
    timers.push(this.scheduler.after(this.delayUntil(spentAt), handlers.onCreditSpent));
    this.credit.set(call.id, timers);
  }

  hasCredit(callId: string): boolean {
    return this.credit.has(callId);
  }

  disarmCredit(callId: string): void {
    for (const cancel of this.credit.get(callId) ?? []) cancel();
    this.credit.delete(callId);
  }

  armAfter(key: string, ms: number, task: () => void): void {
    this.others.get(key)?.();
    this.others.set(key, this.scheduler.after(ms, () => {
      this.others.delete(key);
      task();
    }));
  }

  disarmAll(callId: string): void {
    this.disarmRing(callId);
    this.disarmCredit(callId);
    for (const [key, cancel] of this.others) {
      if (key.startsWith(`${callId}:`)) {
        cancel();
        this.others.delete(key);
      }
    }
  }

  private delayUntil(at: number): number {
    return Math.max(0, at - this.clock.now().getTime());
  }
}
