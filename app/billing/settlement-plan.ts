import { billedSeconds, costMinor, talkSecondsOf } from '../rating';
import { type CallEnded } from '../shared/events';
import { type Movement } from './account';
import { type Reservation, settlementOf, tariffOf, type VoidReservation } from './reservation';
import { isUuid } from './uuid';

// What billing charged for an ended call: the figures of its invoice line. Money in minor units,
// the rate in micro-units per minute (the reservation's, fixed at call start).
export interface CallCharge {
  callId: string;
  userId: string;
  currency: string;
  destination: string;
  // When the charged talk began: the answer.
  startedAt: Date;
  talkSeconds: number;
  billedSeconds: number;
  ratePerMinuteMicros: bigint;
  connectFeeMinor: bigint;
  // The price of the call.
  amountMinor: bigint;
  // What was taken from the account: amountMinor - shortfallMinor.
  chargedMinor: bigint;
  // What the account could not cover (its balance went no lower than zero).
  shortfallMinor: bigint;
}

// The one settlement rule, applied by settle() one call at a time and by settleMany() to a batch:
// the ledger movements (in this order), what the reservation is closed with, and the charge.
export interface SettlementPlan {
  movements: Movement[];
  chargedMinor: bigint;
  ratedMinor: bigint;
  releasedMinor: bigint;
  shortfallMinor: bigint;
  talkSeconds: number;
  // undefined for an unanswered call: nothing to invoice.
  charge: CallCharge | undefined;
}

export function chargeOf(reservation: Reservation, event: CallEnded, chargedMinor: bigint): CallCharge {
  const tariff = tariffOf(reservation);
  const talkSeconds = talkSecondsOf(event.talkMs);
  const amountMinor = costMinor(tariff, talkSeconds);
  return {
    callId: reservation.callId,
    userId: reservation.userId,
    currency: reservation.currency,
    destination: reservation.destination,
    startedAt: new Date(event.answeredAt ?? event.requestedAt),
    talkSeconds,
    billedSeconds: billedSeconds(tariff, talkSeconds),
    ratePerMinuteMicros: reservation.ratePerMinuteMicros,
    connectFeeMinor: reservation.connectFeeMinor,
    amountMinor,
    chargedMinor,
    shortfallMinor: amountMinor - chargedMinor,
  };
}

// The charge of a call settled before, read back from its reservation (a repeat changes nothing).
export const repeatedChargeOf = (reservation: Reservation, event: CallEnded): CallCharge | undefined =>
  event.answeredAt !== undefined ? chargeOf(reservation, event, reservation.chargedMinor ?? 0n) : undefined;

// The tombstone of a call that ended before billing reserved anything for it; undefined for a call
// billing never reserves for (a caller from the phone network has no user id).
export function tombstoneOf(event: CallEnded, currency: string): VoidReservation | undefined {
  if (!isUuid(event.caller.userId) || !isUuid(event.callId)) return undefined;
  return { callId: event.callId, userId: event.caller.userId, currency, destination: (event.callee?.phoneNumber || event.dialed).slice(0, 32) };
}

// An open reservation: the answered talk time (whole seconds, then increments) is charged from it
// and the rest released; past it, the extra is reserved from available credit first, and what even
// that cannot cover is the shortfall. An expired one (released by the sweep) holds nothing.
export function planSettlement(reservation: Reservation, event: CallEnded, availableMinor: bigint): SettlementPlan {
  const answered = event.answeredAt !== undefined;
  const talkSeconds = answered ? talkSecondsOf(event.talkMs) : 0;
  const ratedMinor = costMinor(tariffOf(reservation), talkSeconds);
  const held = reservation.status === 'open' ? reservation.reservedMinor : 0n;
  const split = settlementOf(ratedMinor, held, availableMinor);
  const base = { userId: reservation.userId, currency: reservation.currency, callId: reservation.callId };
  const movements: Movement[] = [
    { ...base, kind: 'reserve' as const, amountMinor: split.extraReserveMinor },
    { ...base, kind: 'charge' as const, amountMinor: split.chargeMinor },
    { ...base, kind: 'release' as const, amountMinor: split.releaseMinor },
  ].filter((movement) => movement.amountMinor > 0n);
  return {
    movements,
    chargedMinor: split.chargeMinor,
    ratedMinor,
    releasedMinor: split.releaseMinor,
    shortfallMinor: split.shortfallMinor,
    talkSeconds,
    charge: answered ? chargeOf(reservation, event, split.chargeMinor) : undefined,
  };
}
