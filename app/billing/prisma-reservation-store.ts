import { isRounding } from '../rating';
import { type Prisma } from '../shared/infra/prisma/generated/client';
import { type ReservationStore } from './ports';
import { type NewReservation, type Reservation, RESERVATION_STATUSES, type ReservationStatus } from './reservation';
import { isUuid } from './uuid';

type ReservationRow = {
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

function toReservation(row: ReservationRow): Reservation {
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

export class PrismaReservationStore implements ReservationStore {
  constructor(private readonly db: Prisma.TransactionClient) {}

  async find(callId: string): Promise<Reservation | undefined> {
    if (!isUuid(callId)) return undefined;
    const row = await this.db.reservation.findUnique({ where: { callId } });
    return row ? toReservation(row) : undefined;
  }

  async insert(reservation: NewReservation): Promise<void> {
    await this.db.reservation.createMany({
      data: [{ ...reservation, planId: reservation.planId ?? null, prefix: reservation.prefix ?? null }],
      skipDuplicates: true,
    });
  }

  async grow(callId: string, to: { reservedMinor: bigint; reservedSeconds: number }): Promise<void> {
    await this.db.reservation.update({ where: { callId }, data: to });
  }

  async close(callId: string, outcome: { status: Exclude<ReservationStatus, 'open'>; chargedMinor: bigint; at: Date }): Promise<void> {
    await this.db.reservation.update({ where: { callId }, data: { status: outcome.status, chargedMinor: outcome.chargedMinor, settledAt: outcome.at } });
  }

  async listStale(cutoff: Date, limit: number): Promise<Array<{ callId: string; userId: string }>> {
    return this.db.$queryRaw<Array<{ callId: string; userId: string }>>`
      SELECT r.call_id::text AS "callId", r.user_id::text AS "userId"
      FROM reservations r
      WHERE r.status = 'open' AND r.created_at < ${cutoff}
        AND NOT EXISTS (SELECT 1 FROM ledger_entries l WHERE l.call_id = r.call_id AND l.created_at >= ${cutoff})
      ORDER BY r.created_at
      LIMIT ${limit}`;
  }
}
