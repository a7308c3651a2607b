import { costMinor, maxAffordableSeconds, minorUnitDigits, type Rounding, type Tariff } from '../rating';

// The price that applies to one call, fixed when the call starts.
export interface RateSnapshot {
  currency: string;
  // E.164 of the callee (on-net) or the dialled number (PSTN).
  destination: string;
  planId?: string;
  // The matched prefix of the plan's deck; absent for an on-net call.
  prefix?: string;
  ratePerMinuteMicros: bigint;
  connectFeeMinor: bigint;
  firstIncrementSeconds: number;
  nextIncrementSeconds: number;
  rounding: Rounding;
}

export const RESERVATION_STATUSES = ['open', 'settled', 'expired', 'void'] as const;
export type ReservationStatus = (typeof RESERVATION_STATUSES)[number];

// Credit held for one call: reservedMinor is what the call may cost so far, the cost of
// reservedSeconds of talk. open until settled; expired when the sweep released a forgotten one;
// void: a tombstone, written when the call's end was settled before billing had reserved anything
// for it (e.g. authorize answered past its deadline while its transaction went on). The call id
// is the key, so a reservation that arrives after the tombstone is refused and holds nothing.
export interface Reservation extends RateSnapshot {
  callId: string;
  userId: string;
  reservedMinor: bigint;
  reservedSeconds: number;
  free: boolean;
  status: ReservationStatus;
  chargedMinor?: bigint;
  createdAt: Date;
  settledAt?: Date;
}

export type NewReservation = Omit<Reservation, 'status' | 'chargedMinor' | 'createdAt' | 'settledAt'>;

// What a tombstone records: whose call it was; no price, no credit.
export interface VoidReservation {
  callId: string;
  userId: string;
  currency: string;
  destination: string;
}

export function tariffOf(snapshot: RateSnapshot): Tariff {
  return {
    ratePerMinuteMicros: snapshot.ratePerMinuteMicros,
    connectFeeMinor: snapshot.connectFeeMinor,
    firstIncrementSeconds: snapshot.firstIncrementSeconds,
    nextIncrementSeconds: snapshot.nextIncrementSeconds,
    rounding: snapshot.rounding,
    minorUnitDigits: minorUnitDigits(snapshot.currency),
  };
}

export interface Slice {
  seconds: number;
  costMinor: bigint;
}

// Talk time is reserved in slices: a slice of `sliceSeconds` is rounded up to whole billing
// increments, and cut down to what the available credit buys (whole increments, the connect fee
// and rounding counted). Costs are cumulative: a call reserved up to N seconds holds cost(N).
export function firstSlice(tariff: Tariff, availableMinor: bigint, sliceSeconds: number): Slice | undefined {
  const target = sliceEnd(tariff, 0, sliceSeconds);
  const seconds = maxAffordableSeconds(tariff, availableMinor, target);
  return seconds < 1 ? undefined : { seconds, costMinor: costMinor(tariff, seconds) };
}

// The next slice on top of `held`: undefined when not one more increment is affordable.
export function nextSlice(tariff: Tariff, held: Slice, availableMinor: bigint, sliceSeconds: number): Slice | undefined {
  const target = sliceEnd(tariff, held.seconds, sliceSeconds);
  const seconds = maxAffordableSeconds(tariff, held.costMinor + availableMinor, target);
  return seconds <= held.seconds ? undefined : { seconds, costMinor: costMinor(tariff, seconds) };
}

function sliceEnd(tariff: Tariff, heldSeconds: number, sliceSeconds: number): number {
  const wanted = heldSeconds + sliceSeconds;
  const { firstIncrementSeconds: first, nextIncrementSeconds: next } = tariff;
  return wanted <= first ? first : first + Math.ceil((wanted - first) / next) * next;
}

export interface Settlement {
  // Credit reserved on top of the reservation to cover a call that ran past it.
  extraReserveMinor: bigint;
  chargeMinor: bigint;
  releaseMinor: bigint;
  // What the call cost beyond everything the account had: not charged.
  shortfallMinor: bigint;
}

// How an ended call's cost is taken from its reservation and, past it, from available credit.
export function settlementOf(ratedMinor: bigint, reservedMinor: bigint, availableMinor: bigint): Settlement {
  if (ratedMinor <= reservedMinor) return { extraReserveMinor: 0n, chargeMinor: ratedMinor, releaseMinor: reservedMinor - ratedMinor, shortfallMinor: 0n };
  const wanted = ratedMinor - reservedMinor;
  const extra = availableMinor <= 0n ? 0n : wanted < availableMinor ? wanted : availableMinor;
  return { extraReserveMinor: extra, chargeMinor: reservedMinor + extra, releaseMinor: 0n, shortfallMinor: wanted - extra };
}
