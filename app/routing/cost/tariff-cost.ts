import { billedSeconds } from '../../rating';

// A carrier's price for one destination (its deck's longest matching prefix), or a retail price.
export interface Tariff {
  ratePerMinuteMicros: bigint;
  connectFeeMinor: bigint;
  firstIncrementSeconds: number;
  nextIncrementSeconds: number;
}

// The retail price of a call to the destination under the sender's price plan (billing's).
export interface RetailRate extends Tariff {
  currency: string;
  planId?: string;
  prefix?: string;
}

// What a call of `seconds` costs in micro-units of the currency, exactly: the connect fee plus the
// rate for the billed seconds, rounded up to a whole micro-unit (never to a minor unit, which would
// make every cheap rate look alike).
export function costMicros(tariff: Tariff, seconds: number, minorUnitDigits: number): bigint {
  const billed = billedSeconds(tariff, seconds);
  if (billed === 0) return 0n;
  const fee = tariff.connectFeeMinor * 10n ** BigInt(6 - minorUnitDigits);
  const talk = tariff.ratePerMinuteMicros * BigInt(billed);
  return fee + (talk + 59n) / 60n;
}

// A carrier costs more than the retail price when a call of the reference length costs more
// through it than the caller pays, or when its per-minute rate is higher (every longer call would
// then lose money too). Both prices are in the same currency (the caller checks).
export function exceedsRetail(carrier: Tariff, retail: Tariff, referenceSeconds: number, minorUnitDigits: number): boolean {
  if (carrier.ratePerMinuteMicros > retail.ratePerMinuteMicros) return true;
  return costMicros(carrier, referenceSeconds, minorUnitDigits) > costMicros(retail, referenceSeconds, minorUnitDigits);
}
