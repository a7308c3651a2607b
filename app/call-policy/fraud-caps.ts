import { type Refusal } from '../call-state';
import { type Logger } from '../shared/infra/logger';
import { type Blocklist } from './blocklist';
import { type CallCounters, type CallPolicySettings, type PolicyMetrics, type PolicyStore } from './ports';

export interface FraudCapsOptions {
  // Calls to one destination across users in a minute above this raise the alarm (0: never).
  destinationCallsPerMinute: number;
  // And block that destination for this long (0: alarm only).
  destinationBlockMinutes: number;
}

const refusal = (cause: Refusal['cause'], reason: string): Refusal => ({ kind: 'refused', cause, sipCode: 403, reason });

// What an operator's fraud desk expects before a PSTN call is routed: no call to a blocked
// prefix, no more new PSTN calls an hour than the user's cap, nothing once the day's spend cap is
// reached, and an alarm when one destination is called too often across users (a pumping pattern).
export class FraudCaps {
  constructor(
    private readonly blocklist: Blocklist,
    private readonly store: PolicyStore,
    private readonly counters: CallCounters,
    private readonly metrics: PolicyMetrics,
    private readonly options: FraudCapsOptions,
    private readonly log: Logger,
  ) {}

  async check(request: { callId: string; userId: string; destination: string; at: Date }, settings: CallPolicySettings): Promise<Refusal | undefined> {
    // Counted first: the call that trips the alarm is the first one its block refuses.
    await this.watchDestination(request);
    const blocked = this.blocklist.match(request.destination, request.at);
    if (blocked) return refusal('blocked_destination', 'blocked_prefix');
    if (settings.dailySpendCapMinor !== undefined) {
      const spent = await this.store.chargedSince(request.userId, startOfUtcDay(request.at));
      if (spent >= settings.dailySpendCapMinor) return refusal('spend_cap', 'daily_spend_cap');
    }
    if (settings.pstnCallsPerHour !== undefined && !(await this.counters.tryCountHourly(request.userId, settings.pstnCallsPerHour, request.at))) {
      return refusal('call_rate_cap', 'pstn_calls_per_hour');
    }
    return undefined;
  }

  private async watchDestination(request: { callId: string; destination: string; at: Date }): Promise<void> {
    const threshold = this.options.destinationCallsPerMinute;
    if (threshold <= 0) return;
    const count = await this.counters.countDestination(request.destination, request.at);
    // Once per minute and destination: when the count first passes the threshold.
    if (count !== threshold + 1) return;
    const blockMs = this.options.destinationBlockMinutes * 60_000;
    this.metrics.destinationRateAlarm(blockMs > 0);
    this.log.warn('destination called too often across users', { callId: request.callId, destination: request.destination, callsThisMinute: count, blockMinutes: this.options.destinationBlockMinutes });
    if (blockMs > 0) {
      await this.store.block({ prefix: request.destination, reason: 'destination rate alarm', expiresAt: new Date(request.at.getTime() + blockMs) });
      await this.blocklist.refresh(request.at);
    }
  }
}

function startOfUtcDay(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
}
