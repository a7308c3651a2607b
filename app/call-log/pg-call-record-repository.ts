import { type CallEnded } from '../shared/events';
import { type SqlQueries } from '../shared/infra/sql';
import { type CallRecord } from './call-record';
import { type CallRecordRepository } from './ports';

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
    quality, history, attempts, created_at, emergency)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20::jsonb, $21::jsonb, $22::jsonb, $23, $24)
  ON CONFLICT DO NOTHING
  RETURNING call_id`;

const FIND = `
  SELECT call_id, caller_user_id, caller_username, caller_number, dialed, callee_user_id, callee_username, callee_number, requested_at,
         ringing_at, answered_at, ended_at, talk_ms, end_cause, end_reason, sip_code, direction, attempts, carrier_id, quality, history, emergency
    FROM call_records WHERE call_id = $1`;

type RecordRow = {
  call_id: string;
  caller_user_id: string | null;
  caller_username: string | null;
  caller_number: string;
  dialed: string;
  callee_user_id: string | null;
  callee_username: string | null;
  callee_number: string | null;
  requested_at: Date;
  ringing_at: Date | null;
  answered_at: Date | null;
  ended_at: Date;
  talk_ms: number;
  end_cause: string;
  end_reason: string | null;
  sip_code: number | null;
  direction: string;
  attempts: unknown;
  carrier_id: string | null;
  quality: unknown;
  history: unknown;
  emergency: boolean;
};

// call_records through plain SQL: the call-records consumer writes one row per ended call, on
// the call path's budget (app/shared/infra/sql.ts).
export class PgCallRecordRepository implements CallRecordRepository {
  constructor(private readonly sql: SqlQueries) {}

  async insertOnce(event: CallEnded): Promise<boolean> {
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
      ],
      'call-log-insert-once',
    );
    return rows.length === 1;
  }

  async find(callId: string): Promise<CallRecord | undefined> {
    if (!UUID.test(callId)) return undefined;
    const [row] = await this.sql.query<RecordRow>(FIND, [callId], 'call-log-find');
    if (!row) return undefined;
    return {
      callId: row.call_id,
      caller: { userId: row.caller_user_id ?? '', username: row.caller_username ?? '', phoneNumber: row.caller_number },
      ...(row.callee_number ? { callee: { userId: row.callee_user_id ?? '', username: row.callee_username ?? '', phoneNumber: row.callee_number } } : {}),
      dialed: row.dialed,
      requestedAt: row.requested_at,
      ...(row.ringing_at ? { ringingAt: row.ringing_at } : {}),
      ...(row.answered_at ? { answeredAt: row.answered_at } : {}),
      endedAt: row.ended_at,
      talkMs: row.talk_ms,
      endCause: row.end_cause,
      ...(row.end_reason ? { endReason: row.end_reason } : {}),
      ...(row.sip_code !== null ? { sipCode: row.sip_code } : {}),
      direction: row.direction,
      attempts: row.attempts as CallRecord['attempts'],
      ...(row.carrier_id ? { carrierId: row.carrier_id } : {}),
      quality: row.quality as CallRecord['quality'],
      history: row.history as CallRecord['history'],
      ...(row.emergency ? { emergency: true } : {}),
    };
  }
}
