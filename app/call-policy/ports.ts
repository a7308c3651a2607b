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
}
