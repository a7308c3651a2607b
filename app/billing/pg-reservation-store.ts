import { type SqlQueries } from '../shared/infra/sql';
import { ReservationMissingError } from './errors';
import { type CallPathReservationStore } from './ports';
import { type NewReservation, type Reservation, type ReservationStatus } from './reservation';
import { type ReservationRow, toReservation } from './rows';
import { isUuid } from './uuid';

const FIND = `
  SELECT call_id::text AS "callId", user_id::text AS "userId", currency, reserved_minor AS "reservedMinor", reserved_seconds AS "reservedSeconds",
         free, destination, plan_id::text AS "planId", prefix, rate_per_minute_micros AS "ratePerMinuteMicros", connect_fee_minor AS "connectFeeMinor",
         first_increment_seconds AS "firstIncrementSeconds", next_increment_seconds AS "nextIncrementSeconds", rounding, status,
         charged_minor AS "chargedMinor", created_at AS "createdAt", settled_at AS "settledAt"
  FROM reservations WHERE call_id = $1::uuid`;

// The call id is the key: a call that has a reservation (or a tombstone) keeps it, and nothing is
// written. created_at from this process's clock, as Prisma's @default(now()) gives it (the sweep
// compares it with its own clock).
const INSERT = `
  INSERT INTO reservations (call_id, user_id, currency, reserved_minor, reserved_seconds, free, destination, plan_id, prefix,
                            rate_per_minute_micros, connect_fee_minor, first_increment_seconds, next_increment_seconds, rounding, status, created_at)
  VALUES ($1::uuid, $2::uuid, $3, $4::bigint, $5::int, $6::boolean, $7, $8::uuid, $9, $10::bigint, $11::bigint, $12::int, $13::int, $14, 'open', $15::timestamptz)
  ON CONFLICT DO NOTHING
  RETURNING 1 AS written`;

const CLOSE = `UPDATE reservations SET status = $2, charged_minor = $3::bigint, settled_at = $4::timestamptz WHERE call_id = $1::uuid RETURNING 1 AS closed`;

const GROW = `UPDATE reservations SET reserved_minor = $2::bigint, reserved_seconds = $3::int WHERE call_id = $1::uuid RETURNING 1 AS grown`;

// The reservations table in plain SQL, for the call path (authorize and extend).
export class PgReservationStore implements CallPathReservationStore {
  constructor(private readonly sql: SqlQueries) {}

  async find(callId: string): Promise<Reservation | undefined> {
    if (!isUuid(callId)) return undefined;
    const [row] = await this.sql.query<ReservationRow>(FIND, [callId], 'billing-reservation-find');
    return row ? toReservation(row) : undefined;
  }

  async insert(r: NewReservation): Promise<boolean> {
    const rows = await this.sql.query(
      INSERT,
      [r.callId, r.userId, r.currency, r.reservedMinor, r.reservedSeconds, r.free, r.destination, r.planId ?? null, r.prefix ?? null,
        r.ratePerMinuteMicros, r.connectFeeMinor, r.firstIncrementSeconds, r.nextIncrementSeconds, r.rounding, new Date()],
      'billing-reservation-insert',
    );
    return rows.length > 0;
  }

  // A reservation that is not there is an error, as Prisma's update of a missing row is: extend
  // grows only the reservation it has just read under the account's lock.
  async grow(callId: string, to: { reservedMinor: bigint; reservedSeconds: number }): Promise<void> {
    const rows = await this.sql.query(GROW, [callId, to.reservedMinor, to.reservedSeconds], 'billing-reservation-grow');
    if (rows.length === 0) throw new ReservationMissingError(callId);
  }

  // As the Prisma adapter's close(): the call path settles a call at its end (end-of-call.ts).
  async close(callId: string, outcome: { status: Exclude<ReservationStatus, 'open'>; chargedMinor: bigint; at: Date }): Promise<void> {
    const rows = await this.sql.query(CLOSE, [callId, outcome.status, outcome.chargedMinor, outcome.at], 'billing-reservation-close');
    if (rows.length === 0) throw new ReservationMissingError(callId);
  }
}
