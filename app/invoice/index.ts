import { type CallEnded, CallEndedSchema, CONSUMERS } from '../shared/events';
import { type BatchHandlers, type ConsumerSetupOptions } from '../shared/infra/jetstream';
import { type Logger } from '../shared/infra/logger';
import { type Database } from '../shared/infra/prisma';
import { type Clock, systemClock } from '../shared/kernel';
import { InvoiceService } from './invoice-service';
import { type CallSettlement } from './ports';
import { PrismaEventApplication } from './prisma-event-application';
import { PrismaInvoiceStore } from './prisma-invoice-store';

export interface InvoiceModuleDeps {
  db: Database;
  // Billing's settle and settleMany (app/billing): the charge is made in the invoice consumer's
  // transaction.
  settlement: CallSettlement;
  log: Logger;
  // Statements close when their month is over, by this clock.
  clock?: Clock;
  // How long after a month ends its statements close (1 h by default).
  statementCloseGraceMs?: number;
  // The processed_events key; the durable consumer's name by default.
  consumerName?: string;
  // Batches settle their calls with the settlement's settleMany (billing's set-based form) when it
  // has one; false: with its settle(), call by call inside the batch's transaction (a baseline).
  setBasedSettlement?: boolean;
}

export function createInvoiceModule(deps: InvoiceModuleDeps): InvoiceService {
  const log = deps.log.child({ module: 'invoice' });
  const { settlement } = deps;
  return new InvoiceService({
    application: new PrismaEventApplication(deps.db, deps.consumerName ?? CONSUMERS.invoices.name),
    settlement: deps.setBasedSettlement === false ? { settle: (work, event) => settlement.settle(work, event) } : settlement,
    store: new PrismaInvoiceStore(deps.db),
    log,
    clock: deps.clock ?? systemClock,
    ...(deps.statementCloseGraceMs !== undefined ? { closeGraceMs: deps.statementCloseGraceMs } : {}),
  });
}

// What the durable consumer needs on the server: room for a batch being applied while the next
// one is fetched (ensureConsumer's default max_ack_pending of 1000 would halve the batches).
export const INVOICE_CONSUMER_SETUP: ConsumerSetupOptions = { maxAckPending: 2500 };

export interface InvoiceConsumerOptions {
  batchSize?: number;
  prefetch?: number;
  // Concurrent transactions per batch, each for the calls of a share of the callers (their
  // accounts are locked apart): the database pool needs this many connections to spare.
  partitions?: number;
}

// How the durable consumer of call.v1.ended (CONSUMERS.invoices, created with
// INVOICE_CONSUMER_SETUP) invoices every ended call: batches of up to 1000 events, split by caller
// into two concurrent transactions, a failing batch applied in halves down to single events.
// main runs it with startBatchConsumer (app/shared/infra/jetstream), which owns the NATS side.
export function invoiceConsumer(invoices: InvoiceService, options: InvoiceConsumerOptions = {}): BatchHandlers<CallEnded> {
  return {
    schema: CallEndedSchema,
    handleBatch: async (events) => void (await invoices.invoiceCalls(events)),
    handle: (event) => invoices.invoiceCall(event),
    // Billing locks the caller's account, and the caller's statement is updated: calls of one
    // caller stay in one transaction, so concurrent transactions never wait on each other.
    partitionOf: (event) => event.caller.userId,
    partitions: options.partitions ?? 2,
    batchSize: options.batchSize ?? 1000,
    prefetch: options.prefetch ?? options.batchSize ?? 1000,
  };
}

export { InvoiceService } from './invoice-service';
export type { BatchOutcome } from './invoice-service';
export { billingPeriodOf, createInvoiceLine, invoiceIdOf, InvoiceNotFoundError, isInvoiced } from './invoice';
export type { InvoiceLine, InvoiceSummary, InvoiceWithLines } from './invoice';
export type { CallCharge, CallSettlement } from './ports';
export { renderInvoice } from './invoice-rendering';
export type { InvoiceFormat, RenderOptions } from './invoice-rendering';
export { amountDecimal, rateDecimal } from './money-format';
