import { type JetStreamClient } from 'nats';
import { type Registry } from 'prom-client';
import { CallEndedSchema, CONSUMERS } from '../shared/events';
import { type ConsumerDefinition, type RunningConsumer } from '../shared/infra/jetstream';
import { type Logger } from '../shared/infra/logger';
import { type Database } from '../shared/infra/prisma';
import { InvoiceService } from './invoice-service';
import { startBatchConsumer } from './jetstream-batch-consumer';
import { type CallSettlement } from './ports';
import { PrismaEventApplication } from './prisma-event-application';
import { PrismaInvoiceStore } from './prisma-invoice-store';

export interface InvoiceModuleDeps {
  db: Database;
  // Billing's settle (app/billing): the charge is made in the invoice consumer's transaction.
  settlement: CallSettlement;
  log: Logger;
  // The processed_events key; the durable consumer's name by default.
  consumerName?: string;
}

export function createInvoiceModule(deps: InvoiceModuleDeps): InvoiceService {
  const log = deps.log.child({ module: 'invoice' });
  return new InvoiceService({
    application: new PrismaEventApplication(deps.db, deps.consumerName ?? CONSUMERS.invoices.name),
    settlement: deps.settlement,
    store: new PrismaInvoiceStore(deps.db),
    log,
  });
}

export interface InvoiceConsumerOptions {
  js: JetStreamClient;
  invoices: InvoiceService;
  log: Logger;
  metrics?: Registry;
  // CONSUMERS.invoices unless told otherwise (benches and tests use their own durables).
  consumer?: ConsumerDefinition;
  batchSize?: number;
  prefetch?: number;
  maxDeliver?: number;
  retryDelayMs?: (deliveryCount: number) => number;
}

// The durable consumer of call.v1.ended that invoices every ended call: batches of events in one
// transaction each, a failing batch applied in halves down to single events.
export function startInvoiceConsumer(options: InvoiceConsumerOptions): RunningConsumer {
  const { invoices } = options;
  return startBatchConsumer({
    js: options.js,
    consumer: options.consumer ?? CONSUMERS.invoices,
    schema: CallEndedSchema,
    handleBatch: async (events) => void (await invoices.invoiceCalls(events)),
    handle: (event) => invoices.invoiceCall(event),
    log: options.log.child({ module: 'invoice' }),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.prefetch !== undefined ? { prefetch: options.prefetch } : {}),
    ...(options.maxDeliver !== undefined ? { maxDeliver: options.maxDeliver } : {}),
    ...(options.retryDelayMs ? { retryDelayMs: options.retryDelayMs } : {}),
  });
}

export { InvoiceService } from './invoice-service';
export type { BatchOutcome } from './invoice-service';
export { startBatchConsumer } from './jetstream-batch-consumer';
export type { BatchConsumerOptions } from './jetstream-batch-consumer';
export { billingPeriodOf, createInvoiceLine, invoiceIdOf, InvoiceNotFoundError, isInvoiced } from './invoice';
export type { InvoiceLine, InvoiceSummary, InvoiceWithLines } from './invoice';
export type { CallCharge, CallSettlement } from './ports';
export { renderInvoice } from './invoice-rendering';
export type { InvoiceFormat, RenderOptions } from './invoice-rendering';
export { amountDecimal, rateDecimal } from './money-format';
