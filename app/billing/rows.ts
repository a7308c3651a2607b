import { isRounding } from '../rating';
import { type Account, type LedgerEntry, type LedgerKind } from './account';
import { type PlanRate, type PricePlan } from './price-plan';
import { type Reservation, RESERVATION_STATUSES, type ReservationStatus } from './reservation';

// Billing's rows as its database adapters read them (columns under their camelCase names: Prisma's
// models, and the aliases of the plain SQL statements), and what they mean. One mapping for both
// adapters, so that the call path (plain SQL) and settlement (Prisma) read the same values.

export type AccountRow = { userId: string; currency: string; planId: string | null; balanceMinor: bigint; reservedMinor: bigint };

export const toAccount = (row: AccountRow): Account => ({
  userId: row.userId,
  currency: row.currency,
  ...(row.planId ? { planId: row.planId } : {}),
  balanceMinor: row.balanceMinor,
  reservedMinor: row.reservedMinor,
});

export type EntryRow = {
  id: bigint;
  userId: string;
  kind: string;
  amountMinor: bigint;
  currency: string;
  callId: string | null;
  reference: string | null;
  balanceAfter: bigint;
  reservedAfter: bigint;
  createdAt: Date;
};

export const toEntry = (row: EntryRow): LedgerEntry => ({
  id: row.id.toString(),
  userId: row.userId,
  kind: row.kind as LedgerKind,
  amountMinor: row.amountMinor,
  currency: row.currency,
  ...(row.callId ? { callId: row.callId } : {}),
  ...(row.reference ? { reference: row.reference } : {}),
  balanceAfter: row.balanceAfter,
  reservedAfter: row.reservedAfter,
  createdAt: row.createdAt,
});

export type ReservationRow = {
  callId: string;
  userId: string;
  currency: string;
  reservedMinor: bigint;
  reservedSeconds: number;
  free: boolean;
  destination: string;
  planId: string | null;
  prefix: string | null;
  ratePerMinuteMicros: bigint;
  connectFeeMinor: bigint;
  firstIncrementSeconds: number;
  nextIncrementSeconds: number;
  rounding: string;
  status: string;
  chargedMinor: bigint | null;
  createdAt: Date;
  settledAt: Date | null;
};

const isStatus = (value: string): value is ReservationStatus => (RESERVATION_STATUSES as readonly string[]).includes(value);

export function toReservation(row: ReservationRow): Reservation {
  if (!isStatus(row.status) || !isRounding(row.rounding)) throw new Error(`reservation ${row.callId} has an unknown status or rounding`);
  return {
    callId: row.callId,
    userId: row.userId,
    currency: row.currency,
    reservedMinor: row.reservedMinor,
    reservedSeconds: row.reservedSeconds,
    free: row.free,
    destination: row.destination,
    ...(row.planId ? { planId: row.planId } : {}),
    ...(row.prefix ? { prefix: row.prefix } : {}),
    ratePerMinuteMicros: row.ratePerMinuteMicros,
    connectFeeMinor: row.connectFeeMinor,
    firstIncrementSeconds: row.firstIncrementSeconds,
    nextIncrementSeconds: row.nextIncrementSeconds,
    rounding: row.rounding,
    status: row.status,
    ...(row.chargedMinor !== null ? { chargedMinor: row.chargedMinor } : {}),
    createdAt: row.createdAt,
    ...(row.settledAt ? { settledAt: row.settledAt } : {}),
  };
}

export type PlanRow = Omit<PricePlan, 'rounding'> & { rounding: string };

export function toPlan(row: PlanRow): PricePlan {
  if (!isRounding(row.rounding)) throw new Error(`price plan ${row.id} has an unknown rounding rule`);
  return {
    id: row.id,
    name: row.name,
    currency: row.currency,
    onNetRatePerMinuteMicros: row.onNetRatePerMinuteMicros,
    onNetConnectFeeMinor: row.onNetConnectFeeMinor,
    firstIncrementSeconds: row.firstIncrementSeconds,
    nextIncrementSeconds: row.nextIncrementSeconds,
    rounding: row.rounding,
    timeZone: row.timeZone,
    createdAt: row.createdAt,
  };
}

export type RateRow = {
  prefix: string;
  ratePerMinuteMicros: bigint;
  connectFeeMinor: bigint;
  firstIncrementSeconds: number | null;
  nextIncrementSeconds: number | null;
  timeFromMinute: number | null;
  timeToMinute: number | null;
  description: string | null;
};

export const toRate = (row: RateRow): PlanRate => ({
  prefix: row.prefix,
  ratePerMinuteMicros: row.ratePerMinuteMicros,
  connectFeeMinor: row.connectFeeMinor,
  ...(row.firstIncrementSeconds !== null ? { firstIncrementSeconds: row.firstIncrementSeconds } : {}),
  ...(row.nextIncrementSeconds !== null ? { nextIncrementSeconds: row.nextIncrementSeconds } : {}),
  ...(row.timeFromMinute !== null && row.timeToMinute !== null ? { timeFromMinute: row.timeFromMinute, timeToMinute: row.timeToMinute } : {}),
  ...(row.description !== null ? { description: row.description } : {}),
});
