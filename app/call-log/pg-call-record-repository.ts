import { type CallEnded } from '../shared/events';
import { type SqlQueries } from '../shared/infra/sql';
import { type CallRecord } from './call-record';
import { RECORD_COLUMNS, type RecordRow, toCallRecord } from './call-record-rows';
import { type CallRecordRepository, type RecordExtras } from './ports';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// A text the event allows but its column cannot hold is cut to the column's width rather than
// refused: a refused insert would stop this record at the consumer and dead-letter it (a lost call
// record). Widths are call_records' (prisma/schema.prisma); cut by characters, as PostgreSQL counts.
const fit = (value: string, width: number): string => {
  const characters = Array.from(value);
  return characters.length <= width ? value : characters.slice(0, width).join('');
};
const fitOrNull = (value: string | undefined, width: number): string | null => (value ? fit(value, width) : null);

// The call id and the event id are both unique keys: a duplicate delivery inserts nothing (no
// conflict target, so either key counts, as before).
const INSERT_ONCE = `
  INSERT INTO call_records (call_id, event_id, caller_user_id, caller_username, caller_number, dialed, callee_user_id, callee_username,
    callee_number, requested_at, ringing_at, answered_at, ended_at, talk_ms, end_cause, end_reason, sip_code, direction, carrier_id,
    quality, history, attempts, created_at, emergency, node, carrier_cost_micros, carrier_currency)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20::jsonb, $21::jsonb, $22::jsonb, $23, $24, $25, $26, $27)
  ON CONFLICT DO NOTHING
  RETURNING call_id`;

const FIND = `SELECT ${RECORD_COLUMNS} FROM call_records cr LEFT JOIN invoice_lines il ON il.call_id = cr.call_id WHERE cr.call_id = $1`;

// call_records through plain SQL: the call-records consumer writes one row per ended call, on
// the call path's budget (app/shared/infra/sql.ts).
export class PgCallRecordRepository implements CallRecordRepository {
  constructor(private readonly sql: SqlQueries) {}

  async insertOnce(event: CallEnded, extra: RecordExtras = {}): Promise<boolean> {
    const rows = await this.sql.query(
      INSERT_ONCE,
      [
        event.callId,
        event.id,
        // A caller from the phone network has no user.
        event.caller.userId || null,
        fitOrNull(event.caller.username, 40),
        fit(event.caller.phoneNumber, 16),
        fit(event.dialed, 64),
        // A callee on the phone network (an outbound call) has no user either.
        event.callee?.userId || null,
        fitOrNull(event.callee?.username, 40),
        event.callee ? fit(event.callee.phoneNumber, 16) : null,
        new Date(event.requestedAt),
        event.ringingAt ? new Date(event.ringingAt) : null,
        event.answeredAt ? new Date(event.answeredAt) : null,
        new Date(event.endedAt),
        event.talkMs,
        event.cause,
        fitOrNull(event.reason, 32),
        event.sipCode ?? null,
        event.direction ?? 'on-net',
        fitOrNull(event.carrierId, 64),
        JSON.stringify(event.quality),
        JSON.stringify(event.history),
        JSON.stringify(event.attempts ?? []),
        new Date(),
        event.emergency === true,
        extra.node ? fit(extra.node, 64) : null,
        extra.carrierCost?.micros ?? null,
        extra.carrierCost?.currency ?? null,
      ],
      // Named anew with the statement's text (a prepared statement is parsed once per connection).
      'call-log-insert-once-v3',
    );
    return rows.length === 1;
  }

  async find(callId: string): Promise<CallRecord | undefined> {
    if (!UUID.test(callId)) return undefined;
    const [row] = await this.sql.query<RecordRow>(FIND, [callId], 'call-log-find-v3');
    return row && toCallRecord(row);
  }
}
