import { randomUUID } from 'node:crypto';
import { type CallEnded } from '../../../app/shared/events';
import { type UnitOfWork } from '../../../app/shared/kernel';
import { type InvoiceLineDraft, type InvoiceSummary, type InvoiceWithLines } from '../../../app/invoice/invoice';
import { type CallCharge, type CallSettlement, type EventApplication, type InvoiceStore } from '../../../app/invoice/ports';

// An in-memory stand-in for PostgreSQL with transactions: what a unit of work writes lands only if
// the work resolves; a line for a closed statement is refused, as the database's trigger does.
interface Staged {
  lines: InvoiceLineDraft[];
  charges: string[];
}

export class MemoryDatabase {
  readonly processed = new Set<string>();
  readonly lines: InvoiceLineDraft[] = [];
  readonly charges: string[] = []; // call ids billing charged, once per settle that committed
  readonly invoices = new Map<string, InvoiceSummary>();
  transactions = 0;

  async run<T>(work: (tx: UnitOfWork, staged: Staged) => Promise<T>): Promise<T> {
    this.transactions += 1;
    const staged: Staged = { lines: [], charges: [] };
    const result = await work(staged as unknown as UnitOfWork, staged);
    const closed = staged.lines.find((line) => this.invoices.get(line.invoiceId)?.closedAt);
    if (closed) throw new Error(`a line cannot be added to a closed statement (${closed.period})`);
    this.charges.push(...staged.charges);
    for (const line of staged.lines) {
      if (this.lines.some((l) => l.eventId === line.eventId || l.callId === line.callId)) continue;
      this.lines.push(line);
      const invoice = this.invoices.get(line.invoiceId) ?? { id: line.invoiceId, userId: line.userId, period: line.period, currency: line.currency, totalMinor: 0n, lineCount: 0, createdAt: new Date(0) };
      this.invoices.set(line.invoiceId, { ...invoice, totalMinor: invoice.totalMinor + line.amountMinor, lineCount: invoice.lineCount + 1 });
    }
    return result;
  }
}

const stagedOf = (tx: UnitOfWork): Staged => tx as unknown as Staged;

export class MemoryEventApplication implements EventApplication {
  constructor(private readonly db: MemoryDatabase) {}

  async once(eventId: string, work: (tx: UnitOfWork) => Promise<void>): Promise<boolean> {
    if (this.db.processed.has(eventId)) return false;
    await this.db.run((tx) => work(tx));
    this.db.processed.add(eventId);
    return true;
  }

  async batch(eventIds: readonly string[], work: (tx: UnitOfWork, fresh: ReadonlySet<string>) => Promise<void>): Promise<ReadonlySet<string>> {
    const fresh = new Set(eventIds.filter((id) => !this.db.processed.has(id)));
    await this.db.run((tx) => work(tx, fresh));
    for (const id of fresh) this.db.processed.add(id);
    return fresh;
  }
}

export class MemoryInvoiceStore implements InvoiceStore {
  constructor(private readonly db: MemoryDatabase) {}

  addLines(tx: UnitOfWork, lines: readonly InvoiceLineDraft[]): Promise<number> {
    const staged = stagedOf(tx);
    const known = (line: InvoiceLineDraft): boolean =>
      [...this.db.lines, ...staged.lines].some((l) => l.eventId === line.eventId || l.callId === line.callId);
    let added = 0;
    for (const line of lines) {
      if (known(line)) continue;
      staged.lines.push(line);
      added += 1;
    }
    return Promise.resolve(added);
  }

  lockStatements(_work: UnitOfWork, invoiceIds: readonly string[]): Promise<Map<string, { closed: boolean }>> {
    const found = invoiceIds.flatMap((id) => {
      const invoice = this.db.invoices.get(id);
      return invoice ? [[id, { closed: invoice.closedAt !== undefined }] as const] : [];
    });
    return Promise.resolve(new Map(found));
  }

  closeStatementsBefore(period: string, at: Date, limit: number): Promise<number> {
    const open = [...this.db.invoices.values()].filter((invoice) => !invoice.closedAt && invoice.period < period).slice(0, limit);
    for (const invoice of open) this.db.invoices.set(invoice.id, { ...invoice, closedAt: at });
    return Promise.resolve(open.length);
  }

  listForUser(userId: string): Promise<InvoiceSummary[]> {
    return Promise.resolve([...this.db.invoices.values()].filter((invoice) => invoice.userId === userId));
  }

  find(invoiceId: string): Promise<InvoiceWithLines | undefined> {
    const invoice = this.db.invoices.get(invoiceId);
    return Promise.resolve(invoice && { ...invoice, lines: this.db.lines.filter((line) => line.invoiceId === invoiceId) });
  }
}

// Billing as a fake: charges 1 minor unit per started 10 s of talk, answered calls only.
export class FakeSettlement implements CallSettlement {
  readonly settled: string[] = [];
  failFor = new Set<string>();

  settle(tx: UnitOfWork, event: CallEnded): Promise<CallCharge | undefined> {
    this.settled.push(event.callId);
    if (this.failFor.has(event.callId)) return Promise.reject(new Error(`billing failed for ${event.callId}`));
    if (!event.answeredAt) return Promise.resolve(undefined);
    stagedOf(tx).charges.push(event.callId);
    return Promise.resolve(chargeOf(event));
  }
}

export function chargeOf(event: CallEnded): CallCharge {
  const talkSeconds = Math.ceil(event.talkMs / 1000);
  return {
    callId: event.callId,
    userId: event.caller.userId,
    currency: 'USD',
    destination: event.callee?.phoneNumber ?? event.dialed,
    startedAt: new Date(event.answeredAt ?? event.requestedAt),
    talkSeconds,
    billedSeconds: Math.ceil(talkSeconds / 60) * 60,
    ratePerMinuteMicros: 60_000n,
    connectFeeMinor: 0n,
    amountMinor: BigInt(Math.ceil(talkSeconds / 10)),
    shortfallMinor: 0n,
  };
}

export const CALLER = { userId: '5b0d4a51-7a36-4f39-9d8e-0b8f1a2c3d4e', username: 'alice', phoneNumber: '+14155550101' };

export function endedCall(options: { answered?: boolean; talkMs?: number; at?: string; callId?: string; id?: string } = {}): CallEnded {
  const at = options.at ?? '2026-11-20T10:00:00.000Z';
  const answered = options.answered ?? true;
  const talkMs = answered ? (options.talkMs ?? 95_000) : 0;
  const start = Date.parse(at);
  return {
    id: options.id ?? randomUUID(),
    version: 1,
    type: 'call.v1.ended',
    callId: options.callId ?? randomUUID(),
    occurredAt: new Date(start + talkMs + 5000).toISOString(),
    caller: CALLER,
    callee: { userId: 'b3c1e0f2-1111-4222-8333-944455556666', username: 'bob', phoneNumber: '+14155550102' },
    dialed: '+14155550102',
    cause: answered ? 'completed' : 'no_answer',
    requestedAt: new Date(start - 5000).toISOString(),
    ...(answered ? { answeredAt: at } : {}),
    endedAt: new Date(start + talkMs).toISOString(),
    talkMs,
    quality: {},
    history: [],
  };
}
