import { type CallEnded } from '../shared/events';
import { type Logger } from '../shared/infra/logger';
import { AppError, type Clock, type UnitOfWork } from '../shared/kernel';
import { createInvoiceLine, type InvoiceLineDraft, InvoiceNotFoundError, type InvoiceSummary, type InvoiceWithLines, isInvoiced, onStatement } from './invoice';
import { type CallCharge, type CallSettlement, type EventApplication, type InvoiceStore } from './ports';
import { nextPeriod, openPeriodAt } from './statement-period';

// A month's statements close this long after it ends (UTC), so that calls of its last minutes are
// on it.
export const DEFAULT_CLOSE_GRACE_MS = 60 * 60 * 1000;
// Statements closed by one statement of the close job.
const CLOSE_BATCH = 1000;
// A line moves at most this many months forward to find an open statement (clocks of instances
// disagreeing by more than a month would be needed to use more than one or two).
const MAX_MOVES = 12;

const byCallerThenCall = (a: CallEnded, b: CallEnded): number =>
  a.caller.userId < b.caller.userId ? -1 : a.caller.userId > b.caller.userId ? 1 : a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0;

export interface InvoiceServiceDeps {
  application: EventApplication;
  settlement: CallSettlement;
  store: InvoiceStore;
  log: Logger;
  clock: Clock;
  closeGraceMs?: number;
}

export interface BatchOutcome {
  // Events applied now; the others were applied by an earlier delivery (or twice in this batch).
  applied: number;
  lines: number;
}

// The invoice service: every ended call is settled by billing and, when it was answered or
// charged, becomes a line of its user's monthly statement, in the same transaction as the event's
// "processed" mark. An event delivered again finds the mark and changes nothing. Statements of a
// month are closed once it is over (closeStatements) and never change again: a late call of a
// closed month goes on the first open statement after it (placed()), with its real date.
export class InvoiceService {
  constructor(private readonly deps: InvoiceServiceDeps) {}

  // Consumer handler of call.v1.ended: one event, one transaction.
  async invoiceCall(event: CallEnded): Promise<void> {
    const log = this.deps.log.child({ callId: event.callId, eventId: event.id });
    let line: InvoiceLineDraft | undefined;
    const applied = await this.deps.application.once(event.id, async (work) => {
      const charge = await this.deps.settlement.settle(work, event);
      line = isInvoiced(event, charge) ? (await this.placed(work, [createInvoiceLine(event.id, charge)]))[0] : undefined;
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
      if (drafts.length > 0) lines = await this.deps.store.addLines(work, await this.placed(work, drafts));
    });
    if (fresh.size < byId.size) this.deps.log.debug('events already invoiced were skipped', { skipped: byId.size - fresh.size });
    return { applied: fresh.size, lines };
  }

  // The month-end close: every open statement of a month that is over (grace included) is closed.
  // Idempotent; run at start and on a timer. Returns how many were closed.
  async closeStatements(): Promise<number> {
    const now = this.deps.clock.now();
    const open = openPeriodAt(now, this.graceMs);
    let closed = 0;
    for (;;) {
      const count = await this.deps.store.closeStatementsBefore(open, now, CLOSE_BATCH);
      closed += count;
      if (count < CLOSE_BATCH) break;
    }
    if (closed > 0) this.deps.log.info('statements closed', { closed, before: open });
    return closed;
  }

  listForUser(userId: string): Promise<InvoiceSummary[]> {
    return this.deps.store.listForUser(userId);
  }

  async get(invoiceId: string): Promise<InvoiceWithLines> {
    const invoice = await this.deps.store.find(invoiceId);
    if (!invoice) throw new InvoiceNotFoundError(invoiceId);
    return invoice;
  }

  private get graceMs(): number {
    return this.deps.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS;
  }

  // The lines on open statements: a line of a month that is over goes to the open month; a line
  // whose statement is closed anyway (the close job of an instance whose clock is ahead) to the
  // month after, until one is open. The statements are locked meanwhile, so the close job cannot
  // close one between this check and the lines' insert.
  private async placed(work: UnitOfWork, drafts: readonly InvoiceLineDraft[]): Promise<InvoiceLineDraft[]> {
    const open = openPeriodAt(this.deps.clock.now(), this.graceMs);
    let lines = drafts.map((line) => (line.period < open ? onStatement(line, open) : line));
    for (let moves = 0; ; moves += 1) {
      const statements = await this.deps.store.lockStatements(work, [...new Set(lines.map((line) => line.invoiceId))]);
      if (!lines.some((line) => statements.get(line.invoiceId)?.closed)) break;
      if (moves === MAX_MOVES) throw new AppError('INVOICE.NO_OPEN_STATEMENT', 'no open statement for a line', 'internal', { after: lines[0]?.period });
      lines = lines.map((line) => (statements.get(line.invoiceId)?.closed ? onStatement(line, nextPeriod(line.period)) : line));
    }
    const moved = lines.filter((line, index) => line.period !== drafts[index]?.period);
    if (moved.length > 0) this.deps.log.info('late calls put on an open statement', { calls: moved.length, periods: [...new Set(moved.map((line) => line.period))] });
    return lines;
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
