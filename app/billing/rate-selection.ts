import { MAX_PREFIX_DIGITS, minuteOfDay, RateTable } from '../rating';
import { type PlanRate, type PricePlan } from './price-plan';
import { type RateSnapshot } from './reservation';

const digitsOf = (destination: string): string => (destination.startsWith('+') ? destination.slice(1) : destination);

// The prefixes of the plan's deck that could match: every leading part of the number.
export function candidatePrefixes(destination: string): string[] {
  const digits = digitsOf(destination);
  if (!/^\d+$/.test(digits)) return [];
  const prefixes: string[] = [];
  for (let length = Math.min(digits.length, MAX_PREFIX_DIGITS); length >= 1; length -= 1) prefixes.push(digits.slice(0, length));
  return prefixes;
}

// The price of a PSTN call: the longest matching prefix of the plan's rates (a time-of-day band
// containing the call's start, on the plan's wall clock, over the all-day rate); undefined when
// the plan does not price the destination.
export function pstnSnapshot(plan: PricePlan, rates: readonly PlanRate[], destination: string, at: Date): RateSnapshot | undefined {
  const match = RateTable.of(rates).lookup(digitsOf(destination), minuteOfDay(at, plan.timeZone));
  if (!match) return undefined;
  return {
    currency: plan.currency,
    destination,
    planId: plan.id,
    prefix: match.prefix,
    ratePerMinuteMicros: match.ratePerMinuteMicros,
    connectFeeMinor: match.connectFeeMinor,
    firstIncrementSeconds: match.firstIncrementSeconds ?? plan.firstIncrementSeconds,
    nextIncrementSeconds: match.nextIncrementSeconds ?? plan.nextIncrementSeconds,
    rounding: plan.rounding,
  };
}

// The price of a user-to-user call: the plan's on-net rule.
export function onNetSnapshot(plan: PricePlan, destination: string): RateSnapshot {
  return {
    currency: plan.currency,
    destination,
    planId: plan.id,
    ratePerMinuteMicros: plan.onNetRatePerMinuteMicros,
    connectFeeMinor: plan.onNetConnectFeeMinor,
    firstIncrementSeconds: plan.firstIncrementSeconds,
    nextIncrementSeconds: plan.nextIncrementSeconds,
    rounding: plan.rounding,
  };
}
