import { type CallRecord } from './call-record';

// call_records (cr) with the user's price from its statement line (il), as every read selects them.
export const RECORD_COLUMNS = `cr.call_id, cr.caller_user_id, cr.caller_username, cr.caller_number, cr.dialed, cr.callee_user_id,
  cr.callee_username, cr.callee_number, cr.requested_at, cr.ringing_at, cr.answered_at, cr.ended_at, cr.talk_ms, cr.end_cause,
  cr.end_reason, cr.sip_code, cr.direction, cr.attempts, cr.carrier_id, cr.quality, cr.history, cr.emergency, cr.node, cr.carrier_cost_micros,
  cr.carrier_currency, il.amount_minor AS price_minor, il.currency AS price_currency`;

export type RecordRow = {
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
  node: string | null;
  carrier_cost_micros: bigint | null;
  carrier_currency: string | null;
  price_minor: bigint | null;
  price_currency: string | null;
};

export function toCallRecord(row: RecordRow): CallRecord {
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
    ...(row.node ? { node: row.node } : {}),
    ...(row.carrier_cost_micros !== null && row.carrier_currency ? { carrierCost: { micros: row.carrier_cost_micros, currency: row.carrier_currency } } : {}),
    ...(row.price_minor !== null && row.price_currency ? { price: { minor: row.price_minor, currency: row.price_currency } } : {}),
  };
}
