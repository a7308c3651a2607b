import { DECIMAL_REASON_TEXT, isRounding, isValidTimeZone, MAX_INCREMENT_SECONDS, minorUnitDigits, parseDecimal, type Rounding } from '../rating';
import { InvalidPricePlanError } from './errors';

// A retail price plan: per-prefix rates for PSTN destinations (its rate deck) and the on-net rule.
export interface PricePlan {
  id: string;
  name: string;
  currency: string;
  onNetRatePerMinuteMicros: bigint;
  onNetConnectFeeMinor: bigint;
  firstIncrementSeconds: number;
  nextIncrementSeconds: number;
  rounding: Rounding;
  timeZone: string;
  createdAt: Date;
}

export type NewPricePlan = Omit<PricePlan, 'id' | 'createdAt'>;

export interface PricePlanInput {
  name: string;
  currency: string;
  // Major units as decimal text: a rate per minute up to 6 decimals, a fee up to the currency's.
  onNetRatePerMinute?: string;
  onNetConnectFee?: string;
  firstIncrementSeconds?: number;
  nextIncrementSeconds?: number;
  rounding?: string;
  timeZone?: string;
}

// One rate of a plan's deck as stored.
export interface PlanRate {
  prefix: string;
  ratePerMinuteMicros: bigint;
  connectFeeMinor: bigint;
  firstIncrementSeconds?: number;
  nextIncrementSeconds?: number;
  timeFromMinute?: number;
  timeToMinute?: number;
  description?: string;
}

const MAX_MAJOR = 1_000_000n;

function amount(text: string | undefined, scale: number, field: string): bigint {
  if (text === undefined) return 0n;
  const parsed = parseDecimal(text, scale, MAX_MAJOR * 10n ** BigInt(scale));
  if (!parsed.ok) throw new InvalidPricePlanError(`${field} ${DECIMAL_REASON_TEXT[parsed.reason]}`, { field, value: text, reason: parsed.reason, maxDecimals: scale });
  return parsed.value;
}

function increment(value: number | undefined, field: string): number {
  if (value === undefined) return 60;
  if (!Number.isInteger(value) || value < 1 || value > MAX_INCREMENT_SECONDS) {
    throw new InvalidPricePlanError(`${field} must be whole seconds, 1-${MAX_INCREMENT_SECONDS}`, { field, value });
  }
  return value;
}

// Validates an operator's plan; unknown currencies are refused (RATING.UNKNOWN_CURRENCY).
export function newPricePlan(input: PricePlanInput): NewPricePlan {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 64) throw new InvalidPricePlanError('name must be 1-64 characters', { field: 'name' });
  const digits = minorUnitDigits(input.currency);
  const rounding = input.rounding ?? 'up';
  if (!isRounding(rounding)) throw new InvalidPricePlanError('rounding must be up, nearest or down', { field: 'rounding', value: rounding });
  const timeZone = input.timeZone ?? 'UTC';
  if (!isValidTimeZone(timeZone)) throw new InvalidPricePlanError('timeZone must be an IANA time zone, e.g. Europe/London', { field: 'timeZone', value: timeZone });
  return {
    name,
    currency: input.currency,
    onNetRatePerMinuteMicros: amount(input.onNetRatePerMinute, 6, 'onNetRatePerMinute'),
    onNetConnectFeeMinor: amount(input.onNetConnectFee, digits, 'onNetConnectFee'),
    firstIncrementSeconds: increment(input.firstIncrementSeconds, 'firstIncrementSeconds'),
    nextIncrementSeconds: increment(input.nextIncrementSeconds, 'nextIncrementSeconds'),
    rounding,
    timeZone,
  };
}
