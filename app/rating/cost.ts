// The cost of a call from its talk time: connect fee, billing increments and a rounding rule.
// Integer maths on bigint throughout: rates are micro-units of the currency per minute, amounts
// are minor units; the one division is rounded by the tariff's rule, applied to the total.

export const ROUNDINGS = ['up', 'nearest', 'down'] as const;
export type Rounding = (typeof ROUNDINGS)[number];

export interface Tariff {
  ratePerMinuteMicros: bigint;
  connectFeeMinor: bigint;
  // e.g. 60/60 (per minute) or 1/1 (per second); 30/6 bills 30 s, then 6 s at a time.
  firstIncrementSeconds: number;
  nextIncrementSeconds: number;
  rounding: Rounding;
  // Decimals of the currency's minor unit (2 for USD).
  minorUnitDigits: number;
}

// The longest talk time anything here computes: reservations keep seconds in an INTEGER column.
export const MAX_TALK_SECONDS = 2_147_483_647;

export const isRounding = (value: string): value is Rounding => (ROUNDINGS as readonly string[]).includes(value);

export function isFree(tariff: Pick<Tariff, 'ratePerMinuteMicros' | 'connectFeeMinor'>): boolean {
  return tariff.ratePerMinuteMicros === 0n && tariff.connectFeeMinor === 0n;
}

// Whole seconds of talk, any started second counting.
export function talkSecondsOf(talkMs: number): number {
  return talkMs <= 0 ? 0 : Math.ceil(talkMs / 1000);
}

// The seconds charged for a talk time: none for no talk; otherwise at least the first increment,
// then whole next increments.
export function billedSeconds(tariff: Pick<Tariff, 'firstIncrementSeconds' | 'nextIncrementSeconds'>, talkSeconds: number): number {
  if (talkSeconds <= 0) return 0;
  const first = tariff.firstIncrementSeconds;
  if (talkSeconds <= first) return first;
  const next = tariff.nextIncrementSeconds;
  return first + Math.ceil((talkSeconds - first) / next) * next;
}

function divide(numerator: bigint, denominator: bigint, rounding: Rounding): bigint {
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  if (remainder === 0n || rounding === 'down') return quotient;
  if (rounding === 'up') return quotient + 1n;
  // nearest: half up (amounts are never negative).
  return remainder * 2n >= denominator ? quotient + 1n : quotient;
}

const microsPerMinor = (tariff: Tariff): bigint => 10n ** BigInt(6 - tariff.minorUnitDigits);

// What a call with this much talk costs, in minor units. No talk costs nothing (not even the
// connect fee): a call is charged from its first second of talk.
export function costMinor(tariff: Tariff, talkSeconds: number): bigint {
  const billed = billedSeconds(tariff, talkSeconds);
  if (billed === 0) return 0n;
  const unit = microsPerMinor(tariff);
  // fee + rate * billed / 60 s, all over micro-units per minor unit, rounded once.
  const numerator = tariff.connectFeeMinor * unit * 60n + tariff.ratePerMinuteMicros * BigInt(billed);
  return divide(numerator, unit * 60n, tariff.rounding);
}

// The longest talk time, up to `limitSeconds`, whose cost is within the budget: 0 when not even
// the first increment (with the connect fee) is affordable. Binary search on the cost, which never
// decreases with talk time. Without a limit, a tariff with no per-minute rate is unlimited.
export function maxAffordableSeconds(tariff: Tariff, budgetMinor: bigint, limitSeconds: number = Number.POSITIVE_INFINITY): number {
  if (budgetMinor < 0n || limitSeconds < 1) return 0;
  if (tariff.ratePerMinuteMicros === 0n) {
    if (costMinor(tariff, 1) > budgetMinor) return 0;
    return limitSeconds;
  }
  // Past this many seconds the per-minute part alone exceeds the budget.
  const unit = microsPerMinor(tariff);
  const beyond = ((budgetMinor + 1n) * unit * 60n) / tariff.ratePerMinuteMicros + BigInt(tariff.firstIncrementSeconds + tariff.nextIncrementSeconds);
  let high = Math.min(limitSeconds, MAX_TALK_SECONDS, Number(beyond < BigInt(MAX_TALK_SECONDS) ? beyond : BigInt(MAX_TALK_SECONDS)));
  if (costMinor(tariff, high) <= budgetMinor) return high;
  let low = 0; // affordable: costs nothing
  // Invariant: cost(low) <= budget < cost(high).
  while (high - low > 1) {
    const middle = low + Math.floor((high - low) / 2);
    if (costMinor(tariff, middle) <= budgetMinor) low = middle;
    else high = middle;
  }
  return low;
}
