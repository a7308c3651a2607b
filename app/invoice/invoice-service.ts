import { type CallEnded } from '../shared/events';
import { type Logger } from '../shared/infra/logger';
import { type UnitOfWork } from '../shared/kernel';
import { createInvoiceLine, type InvoiceLineDraft, InvoiceNotFoundError, type InvoiceSummary, type InvoiceWithLines, isInvoiced } from './invoice';
import { type CallCharge, type CallSettlement, type EventApplication, type InvoiceStore } from './ports';

const byCallerThenCall = (a: CallEnded, b: CallEnded): number =>
  a.caller.userId < b.caller.userId ? -1 : a.caller.userId > b.caller.userId ? 1 : a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0;

export interface InvoiceServiceDeps {
  application: EventApplication;
  settlement: CallSettlement;
  store: InvoiceStore;
  log: Logger;
}

export interface BatchOutcome {
  // Events applied now; the others were applied by an earlier delivery (or twice in this batch).
  applied: number;
  lines: number;
}

// The invoice service: every ended call is settled by billing and, when it was answered or
// charged, becomes a line of its user's monthly statement, in the same transaction as the event's
// "processed" mark. An event delivered again finds the mark and changes nothing.
export class InvoiceService {
  constructor(private readonly deps: InvoiceServiceDeps) {}

  // Consumer handler of call.v1.ended: one event, one transaction.
  async invoiceCall(event: CallEnded): Promise<void> {
    const log = this.deps.log.child({ callId: event.callId, eventId: event.id });
    let line: InvoiceLineDraft | undefined;
    const applied = await this.deps.application.once(event.id, async (work) => {
      const charge = await this.deps.settlement.settle(work, event);
      line = isInvoiced(event, charge) ? createInvoiceLine(event.id, charge) : undefined;
      if (line) await this.deps.store.addLines(work, [line]);
    });
    if (!applied) log.info('call already invoiced');
    else if (line) log.debug('call invoiced', { invoiceId: line.invoiceId, amountMinor: String(line.amountMinor), currency: line.currency });
    else log.debug('ended call not invoiced', { cause: event.cause });
  }

  // Batch handler: many events in one transaction with set-based writes. Rejects as a whole (and
  // rolls back) if any event fails; the caller then applies them in smaller batches.
  async invoiceCalls(events: readonly CallEnded[]): Promise<BatchOutcome> {
    const byId = new Map<string, CallEnded>();
    for (const event of events) if (!byId.has(event.id)) byId.set(event.id, event);
    let lines = 0;
    const fresh = await this.deps.application.batch([...byId.keys()], async (work, freshIds) => {
      // By caller, then call: billing locks each caller's account, and two instances applying
      // overlapping batches then take those locks in the same order (no deadlock).
      const todo = [...byId.values()].filter((event) => freshIds.has(event.id)).sort(byCallerThenCall);
      const charges = await this.settleAll(work, todo);
      const drafts: InvoiceLineDraft[] = [];
      todo.forEach((event, index) => {
        const charge = charges[index];
        if (isInvoiced(event, charge)) drafts.push(createInvoiceLine(event.id, charge));
      });
      if (drafts.length > 0) lines = await this.deps.store.addLines(work, drafts);
    });
    if (fresh.size < byId.size) this.deps.log.debug('events already invoiced were skipped', { skipped: byId.size - fresh.size });
    return { applied: fresh.size, lines };
  }

  listForUser(userId: string): Promise<InvoiceSummary[]> {
    return this.deps.store.listForUser(userId);
  }

  async get(invoiceId: string): Promise<InvoiceWithLines> {
    const invoice = await this.deps.store.find(invoiceId);
    if (!invoice) throw new InvoiceNotFoundError(invoiceId);
    return invoice;
  }

  private async settleAll(work: UnitOfWork, events: readonly CallEnded[]): Promise<Array<CallCharge | undefined>> {
    if (events.length === 0) return [];
    const { settlement } = this.deps;
    if (settlement.settleMany) {
      const charges = await settlement.settleMany(work, events);
      if (charges.length !== events.length) throw new Error(`settleMany returned ${charges.length} results for ${events.length} events`);
      return charges;
    }
    // One transaction connection: the settlements run one after the other.
    const charges: Array<CallCharge | undefined> = [];
    for (const event of events) charges.push(await settlement.settle(work, event));
    return charges;
  }
}
