import { type CallRecord } from '../call-log';
import { formatDecimal, minorUnitDigits } from '../rating';

type Party = { userId?: string; username?: string; number: string };

const partyOf = (party: { userId: string; username: string; phoneNumber: string } | undefined, fallback?: string): Party | undefined => {
  if (!party) return fallback ? { number: fallback } : undefined;
  return { ...(party.userId ? { userId: party.userId } : {}), ...(party.username ? { username: party.username } : {}), number: party.phoneNumber };
};

// Price, carrier cost and margin as decimal text. The margin only when both are in one currency.
function money(record: CallRecord): { price?: string; priceCurrency?: string; carrierCost?: string; carrierCurrency?: string; margin?: string } {
  const out: ReturnType<typeof money> = {};
  const { price, carrierCost } = record;
  if (price) Object.assign(out, { price: formatDecimal(price.minor, minorUnitDigits(price.currency)), priceCurrency: price.currency });
  if (carrierCost) Object.assign(out, { carrierCost: formatDecimal(carrierCost.micros, 6, minorUnitDigits(carrierCost.currency)), carrierCurrency: carrierCost.currency });
  if (price && carrierCost && price.currency === carrierCost.currency) {
    const digits = minorUnitDigits(price.currency);
    out.margin = formatDecimal(price.minor * 10n ** BigInt(6 - digits) - carrierCost.micros, 6, digits);
  }
  return out;
}

export function toCallRecordResponse(record: CallRecord): Record<string, unknown> {
  const m = money(record);
  return {
    callId: record.callId,
    direction: record.direction,
    caller: partyOf(record.caller),
    callee: partyOf(record.callee, record.dialed),
    dialed: record.dialed,
    requestedAt: record.requestedAt.toISOString(),
    ...(record.ringingAt ? { ringingAt: record.ringingAt.toISOString() } : {}),
    ...(record.answeredAt ? { answeredAt: record.answeredAt.toISOString() } : {}),
    endedAt: record.endedAt.toISOString(),
    endCause: record.endCause,
    ...(record.endReason ? { endReason: record.endReason } : {}),
    ...(record.sipCode !== undefined ? { sipCode: record.sipCode } : {}),
    talkSeconds: Math.round(record.talkMs / 1000),
    talkMs: record.talkMs,
    ...(record.carrierId ? { carrierId: record.carrierId } : {}),
    attempts: record.attempts,
    ...(m.price ? { price: { amount: m.price, currency: m.priceCurrency } } : {}),
    ...(m.carrierCost ? { carrierCost: { amount: m.carrierCost, currency: m.carrierCurrency } } : {}),
    ...(m.margin ? { margin: { amount: m.margin, currency: m.priceCurrency } } : {}),
    quality: record.quality,
    ...(record.node ? { node: record.node } : {}),
    history: record.history,
  };
}

export const CSV_HEADER = [
  'call_id', 'requested_at', 'ringing_at', 'answered_at', 'ended_at', 'direction', 'caller_user_id', 'caller_username', 'caller_number',
  'callee_user_id', 'callee_username', 'callee_number', 'dialed', 'end_cause', 'end_reason', 'sip_code', 'talk_seconds', 'carrier_id',
  'attempts', 'price', 'price_currency', 'carrier_cost', 'carrier_currency', 'margin', 'caller_mes', 'caller_jitter_ms', 'caller_lost',
  'callee_mes', 'callee_jitter_ms', 'callee_lost', 'node',
].join(',');

const csvField = (value: string | number | undefined): string => {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

// One CSV line per record, the same fields as the JSON, flattened; attempts as
// carrier:outcome:code, in order, separated by ';'.
export function toCsvLine(record: CallRecord): string {
  const m = money(record);
  const { caller, callee } = record.quality;
  const attempts = record.attempts.map((a) => [a.carrierId ?? '', a.outcome, a.sipCode ?? ''].join(':')).join(';');
  return [
    record.callId, record.requestedAt.toISOString(), record.ringingAt?.toISOString(), record.answeredAt?.toISOString(), record.endedAt.toISOString(),
    record.direction, record.caller.userId, record.caller.username, record.caller.phoneNumber, record.callee?.userId, record.callee?.username,
    record.callee?.phoneNumber ?? record.dialed, record.dialed, record.endCause, record.endReason, record.sipCode, Math.round(record.talkMs / 1000),
    record.carrierId, attempts, m.price, m.priceCurrency, m.carrierCost, m.carrierCurrency, m.margin, caller?.mes, caller?.rxJitterMs,
    caller?.rxPacketsLost, callee?.mes, callee?.rxJitterMs, callee?.rxPacketsLost, record.node,
  ].map(csvField).join(',');
}
