// What the call admission rules need from the other modules.

// A carrier that takes emergency calls of these countries (app/carriers).
export interface EmergencyCarrier {
  carrierId: string;
  countries: readonly string[];
  // The switch's dial string for this number through this carrier.
  dialString(number: string): string;
  maxConcurrentCalls: number;
}

export interface EmergencyCarrierSource {
  // The enabled emergency carriers, in the order to try them.
  emergencyCarriers(): Promise<EmergencyCarrier[]>;
}

// Where a user stands (app/users): suspended or not. Asked for every call that is not an emergency one.
export interface SubscriberStanding {
  suspensionOf(userId: string): Promise<{ reason: string } | undefined>;
}

// The rules' own figures for operators (Prometheus in production).
export interface PolicyMetrics {
  // An emergency call that found no emergency carrier: an alarm.
  emergencyUnroutable(country: string): void;
  // A call refused by a rule, by its end cause and reason.
  refused(cause: string, reason: string): void;
  // Calls to one destination across users above the threshold: an alarm (blocked: also blocked for a while).
  destinationRateAlarm(blocked: boolean): void;
}

// A user's limits and caps as they apply: its own override, else its price plan's default, else
// none (unlimited). CLIR is the user's own setting.
export interface CallPolicySettings {
  maxCalls?: number;
  maxPstnCalls?: number;
  pstnCallsPerHour?: number;
  // In the minor units of the user's account currency.
  dailySpendCapMinor?: bigint;
  clir: boolean;
}

// What may be set on a user or a plan: a number sets it, null clears it, absent leaves it.
export interface CallPolicyChange {
  maxCalls?: number | null;
  maxPstnCalls?: number | null;
  pstnCallsPerHour?: number | null;
  dailySpendCapMinor?: bigint | null;
  clir?: boolean;
}

export interface BlockedPrefix {
  prefix: string;
  reason: string;
  expiresAt?: Date;
}

// Where the settings and the blocklist are kept (PostgreSQL).
export interface PolicyStore {
  settingsOf(userId: string): Promise<CallPolicySettings>;
  // What the user was charged since `since` (settled calls), in its account's minor units.
  chargedSince(userId: string, since: Date): Promise<bigint>;
  // The user's own settings (overrides only); false when the user does not exist.
  setUserSettings(userId: string, change: CallPolicyChange): Promise<boolean>;
  setPlanSettings(planId: string, change: Omit<CallPolicyChange, 'clir'>): Promise<boolean>;
  ownSettingsOf(kind: 'user' | 'plan', id: string): Promise<Omit<CallPolicySettings, 'clir'> & { clir?: boolean }>;
  blockedPrefixes(now: Date): Promise<BlockedPrefix[]>;
  block(entry: BlockedPrefix): Promise<void>;
  unblock(prefix: string): Promise<boolean>;
}

// Counters shared by every controller instance (Redis): per-user call slots that expire unless
// held again (a dead controller's come back when its calls end, or at worst when they expire),
// the hourly count of each user's new PSTN calls, and each destination's calls per minute.
export interface CallCounters {
  tryAcquire(kind: 'all' | 'pstn', userId: string, callId: string, max: number): Promise<boolean>;
  release(kind: 'all' | 'pstn', userId: string, callId: string): Promise<void>;
  hold(slots: { kind: 'all' | 'pstn'; userId: string; callId: string }[]): Promise<void>;
  // Counts one more new PSTN call of the user this hour unless `max` are counted already (false).
  tryCountHourly(userId: string, max: number, at: Date): Promise<boolean>;
  // Counts a call to this destination; the calls to it in the current minute, this one included.
  countDestination(destination: string, at: Date): Promise<number>;
}
