import { Prisma } from '../shared/infra/prisma/generated/client';
import { ReservationMissingError } from './errors';
import { type ReservationStore } from './ports';
import { type NewReservation, type Reservation, type ReservationStatus, type VoidReservation } from './reservation';
import { type ReservationRow, toReservation } from './rows';
import { isUuid } from './uuid';

const RESERVATION_COLUMNS = Prisma.sql`
  call_id::text AS "callId", user_id::text AS "userId", currency, reserved_minor AS "reservedMinor", reserved_seconds AS "reservedSeconds",
  free, destination, plan_id::text AS "planId", prefix, rate_per_minute_micros AS "ratePerMinuteMicros", connect_fee_minor AS "connectFeeMinor",
  first_increment_seconds AS "firstIncrementSeconds", next_increment_seconds AS "nextIncrementSeconds", rounding, status,
  charged_minor AS "chargedMinor", created_at AS "createdAt", settled_at AS "settledAt"`;

// The reservations table through Prisma: settlement in the invoice consumer's transaction, the sweep,
// and the call path when billing has no plain SQL pool. What settle() runs on every ended call is raw
// SQL (find, close): a model query costs Prisma's query compiler ~800 us of CPU, a raw one ~300 us.
export class PrismaReservationStore implements ReservationStore {
  constructor(private readonly db: Prisma.TransactionClient) {}

  async find(callId: string): Promise<Reservation | undefined> {
    if (!isUuid(callId)) return undefined;
    const [row] = await this.db.$queryRaw<ReservationRow[]>`SELECT ${RESERVATION_COLUMNS} FROM reservations WHERE call_id = ${callId}::uuid`;
    return row ? toReservation(row) : undefined;
  }

  async findMany(callIds: readonly string[]): Promise<Map<string, Reservation>> {
    const ids = [...new Set(callIds.filter(isUuid))];
    if (ids.length === 0) return new Map();
    const rows = await this.db.$queryRaw<ReservationRow[]>`SELECT ${RESERVATION_COLUMNS} FROM reservations WHERE call_id = ANY(${ids}::uuid[])`;
    return new Map(rows.map((row) => [row.callId, toReservation(row)]));
  }

  async insert(reservation: NewReservation): Promise<boolean> {
    const { count } = await this.db.reservation.createMany({
      data: [{ ...reservation, planId: reservation.planId ?? null, prefix: reservation.prefix ?? null }],
      skipDuplicates: true,
    });
    return count > 0;
  }

  async insertVoid(tombstones: readonly VoidReservation[], at: Date): Promise<Set<string>> {
    const rows = tombstones.filter((t) => isUuid(t.callId) && isUuid(t.userId));
    if (rows.length === 0) return new Set();
    const col = <T>(pick: (t: VoidReservation) => T): T[] => rows.map(pick);
    const written = await this.db.$queryRaw<Array<{ callId: string }>>`
      INSERT INTO reservations (call_id, user_id, currency, reserved_minor, reserved_seconds, free, destination, rate_per_minute_micros,
                                connect_fee_minor, first_increment_seconds, next_increment_seconds, rounding, status, charged_minor, settled_at)
      SELECT call_id, user_id, currency, 0, 0, false, destination, 0, 0, 1, 1, 'up', 'void', 0, ${at}
      FROM UNNEST(${col((t) => t.callId)}::uuid[], ${col((t) => t.userId)}::uuid[], ${col((t) => t.currency)}::text[], ${col((t) => t.destination)}::text[])
        AS v(call_id, user_id, currency, destination)
      ORDER BY call_id
      ON CONFLICT (call_id) DO NOTHING
      RETURNING call_id::text AS "callId"`;
    return new Set(written.map((row) => row.callId));
  }

  async grow(callId: string, to: { reservedMinor: bigint; reservedSeconds: number }): Promise<void> {
    await this.db.reservation.update({ where: { callId }, data: to });
  }

  async close(callId: string, outcome: { status: Exclude<ReservationStatus, 'open'>; chargedMinor: bigint; at: Date }): Promise<void> {
    const closed = await this.db.$queryRaw<unknown[]>`
      UPDATE reservations SET status = ${outcome.status}, charged_minor = ${outcome.chargedMinor}, settled_at = ${outcome.at}
      WHERE call_id = ${callId}::uuid RETURNING 1 AS closed`;
    if (closed.length === 0) throw new ReservationMissingError(callId);
  }

  async settleMany(settled: ReadonlyArray<{ callId: string; chargedMinor: bigint }>, at: Date): Promise<void> {
    if (settled.length === 0) return;
    await this.db.$executeRaw`
      UPDATE reservations r SET status = 'settled', charged_minor = v.charged, settled_at = ${at}
      FROM UNNEST(${settled.map((s) => s.callId)}::uuid[], ${settled.map((s) => s.chargedMinor)}::bigint[]) AS v(call_id, charged)
      WHERE r.call_id = v.call_id`;
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
