import { createHash } from 'node:crypto';
import { type CallEnded } from '../shared/events';
import { NotFoundError } from '../shared/kernel';
import { type CallCharge } from './ports';

// A monthly statement: one per user, calendar month (UTC) and currency. Closed (closedAt set) once
// its month is over: from then on it never changes (statement-period.ts, InvoiceService).
export interface InvoiceSummary {
  id: string;
  userId: string;
  period: string; // "2026-11"
  currency: string;
  totalMinor: bigint;
  lineCount: number;
  createdAt: Date;
  closedAt?: Date;
}

// One charged call on a statement.
export interface InvoiceLine {
  eventId: string;
  callId: string;
  destination: string;
  startedAt: Date;
  talkSeconds: number;
  billedSeconds: number;
  ratePerMinuteMicros: bigint;
  connectFeeMinor: bigint;
  amountMinor: bigint;
  currency: string;
}

export interface InvoiceWithLines extends InvoiceSummary {
  lines: InvoiceLine[];
}

// A line to add, with the statement it belongs to.
export interface InvoiceLineDraft extends InvoiceLine {
  invoiceId: string;
  userId: string;
  period: string;
}

export class InvoiceNotFoundError extends NotFoundError {
  constructor(invoiceId: string) {
    super('INVOICE.NOT_FOUND', 'no such invoice', { invoiceId });
  }
}

// The statement month of a call: the calendar month of its start, in UTC.
export function billingPeriodOf(at: Date): string {
  return at.toISOString().slice(0, 7);
}

// A statement's id follows from what identifies it (user, month, currency): lines of one batch can
// name their invoice before it exists, and every instance computes the same id. Formatted as an
// RFC 9562 version 8 (custom) UUID.
export function invoiceIdOf(userId: string, period: string, currency: string): string {
  const bytes = createHash('sha256').update(`invoice\u0000${userId}\u0000${period}\u0000${currency}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

// The same line on the statement of another month (a late call whose own month is closed).
export function onStatement(line: InvoiceLineDraft, period: string): InvoiceLineDraft {
  return { ...line, period, invoiceId: invoiceIdOf(line.userId, period, line.currency) };
}

// Whether an ended call gets an invoice line: it was answered (a free on-net call too, at 0), or
// billing charged it something anyway. Unanswered calls billing did not charge leave no line.
export function isInvoiced(event: CallEnded, charge: CallCharge | undefined): charge is CallCharge {
  return charge !== undefined && (event.answeredAt !== undefined || charge.amountMinor > 0n);
}

// The design's createInvoice(callId, talkTime, currency, pricePerMinute): the invoice line of one
// call. The amount is what billing took from the account (its increments and rounding, less any
// shortfall the balance could not cover), never recomputed here: a statement's total is the sum
// of the month's charges in the ledger.
export function createInvoiceLine(eventId: string, charge: CallCharge): InvoiceLineDraft {
  const period = billingPeriodOf(charge.startedAt);
  return {
    invoiceId: invoiceIdOf(charge.userId, period, charge.currency),
    userId: charge.userId,
    period,
    eventId,
    callId: charge.callId,
    destination: charge.destination,
    startedAt: charge.startedAt,
    talkSeconds: charge.talkSeconds,
    billedSeconds: charge.billedSeconds,
    ratePerMinuteMicros: charge.ratePerMinuteMicros,
    connectFeeMinor: charge.connectFeeMinor,
    amountMinor: charge.amountMinor - charge.shortfallMinor,
    currency: charge.currency,
  };
}
