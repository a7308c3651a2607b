import { type CallEnded } from '../shared/events';
import { type UnitOfWork } from '../shared/kernel';
import { type InvoiceLineDraft, type InvoiceSummary, type InvoiceWithLines } from './invoice';

// What billing charged for an ended call: the figures an invoice line shows. Billing's CallCharge
// has this shape (app/billing/README.md); money in integer minor units, rates in micro-units per minute.
export interface CallCharge {
  callId: string;
  userId: string;
  currency: string;
  destination: string;
  startedAt: Date;
  talkSeconds: number;
  billedSeconds: number;
  ratePerMinuteMicros: bigint;
  connectFeeMinor: bigint;
  // The price of the call.
  amountMinor: bigint;
  // What the account could not cover (its balance went no lower than zero): not charged, so not
  // on the invoice line either.
  shortfallMinor: bigint;
}

// Billing, as the invoice consumer uses it: settles an ended call inside the consumer's
// transaction, so the charge and the invoice line commit together or not at all.
export interface CallSettlement {
  // undefined: nothing to charge (e.g. a call billing never authorised).
  settle(work: UnitOfWork, event: CallEnded): Promise<CallCharge | undefined>;
  // Optional set-based form for the batch path: the same effects as settle() on each event, in one
  // round of SQL; results in the order of the events. Without it the batch path calls settle()
  // for each event, still in one transaction.
  settleMany?(work: UnitOfWork, events: readonly CallEnded[]): Promise<Array<CallCharge | undefined>>;
}

// Applies an event's effects at most once per consumer (processed_events): the work commits with
// the "processed" marks, or nothing does.
export interface EventApplication {
  // One event: false when an earlier delivery already applied it.
  once(eventId: string, work: (unit: UnitOfWork) => Promise<void>): Promise<boolean>;
  // Many events in one transaction: work gets the ids not applied before; resolves to them.
  batch(eventIds: readonly string[], work: (unit: UnitOfWork, fresh: ReadonlySet<string>) => Promise<void>): Promise<ReadonlySet<string>>;
}

export interface InvoiceStore {
  // Adds the lines to their month's invoices (created on first use) and updates the invoices'
  // totals. A line whose event id or call id is already invoiced is skipped; returns how many
  // were added.
  addLines(work: UnitOfWork, lines: readonly InvoiceLineDraft[]): Promise<number>;
  // Locks the existing statements among these ids until the unit of work ends (in id order, as
  // addLines and the close do) and tells whether each is closed; an id missing has no statement.
  lockStatements(work: UnitOfWork, invoiceIds: readonly string[]): Promise<Map<string, { closed: boolean }>>;
  // Closes (at most `limit`) open statements of the periods before `period`; returns how many.
  closeStatementsBefore(period: string, at: Date, limit: number): Promise<number>;
  listForUser(userId: string): Promise<InvoiceSummary[]>;
  find(invoiceId: string): Promise<InvoiceWithLines | undefined>;
}
