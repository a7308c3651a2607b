import { minorUnitDigits } from '../rating';

export interface BillingOptions {
  // New accounts: this currency and the plan of this name (created on first use, free on-net,
  // no PSTN rates until some are imported).
  defaultCurrency: string;
  defaultPlanName: string;
  // Talk time reserved at a time; each extension asks for this much more.
  sliceSeconds: number;
  // An open reservation with no movement for this long belongs to a call whose end was lost:
  // the sweep releases it.
  staleReservationHours: number;
  // authorize() answers within this: a paid call is refused as billing_unavailable past it.
  authorizeTimeoutMs: number;
  // The most one top-up may add, in major units.
  maxTopUpMajor: number;
  maxRateFileBytes: number;
  maxRateRows: number;
  rateImportTimeoutMs: number;
}

export const DEFAULT_BILLING_OPTIONS: BillingOptions = {
  defaultCurrency: 'USD',
  defaultPlanName: 'default',
  sliceSeconds: 60,
  staleReservationHours: 6,
  authorizeTimeoutMs: 2000,
  maxTopUpMajor: 1_000_000,
  maxRateFileBytes: 256 * 1024 * 1024,
  maxRateRows: 2_000_000,
  rateImportTimeoutMs: 10 * 60 * 1000,
};

export function billingOptions(overrides: Partial<BillingOptions> = {}): BillingOptions {
  const options = { ...DEFAULT_BILLING_OPTIONS, ...overrides };
  minorUnitDigits(options.defaultCurrency);
  for (const key of ['sliceSeconds', 'staleReservationHours', 'authorizeTimeoutMs', 'maxTopUpMajor', 'maxRateFileBytes', 'maxRateRows', 'rateImportTimeoutMs'] as const) {
    if (!Number.isSafeInteger(options[key]) || options[key] < 1) throw new RangeError(`billing option ${key} must be a positive integer`);
  }
  return options;
}
