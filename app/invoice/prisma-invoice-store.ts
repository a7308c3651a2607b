import { type Database } from '../shared/infra/prisma';
import { prismaTransactionOf } from '../shared/infra/unit-of-work';
import { type UnitOfWork } from '../shared/kernel';
import { type InvoiceLineDraft, type InvoiceSummary, type InvoiceWithLines } from './invoice';
import { type InvoiceStore } from './ports';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface InvoiceRow {
  id: string;
  userId: string;
  period: string;
  currency: string;
  totalMinor: bigint;
  lineCount: number;
  createdAt: Date;
  closedAt: Date | null;
}

const toSummary = (row: InvoiceRow): InvoiceSummary => ({
  id: row.id,
  userId: row.userId,
  period: row.period,
  currency: row.currency,
  totalMinor: row.totalMinor,
  lineCount: row.lineCount,
  createdAt: row.createdAt,
  ...(row.closedAt ? { closedAt: row.closedAt } : {}),
});

export class PrismaInvoiceStore implements InvoiceStore {
  constructor(private readonly db: Database) {}

  // One statement for any number of lines: the lines go in unless their event id or call id is
  // already invoiced (ON CONFLICT DO NOTHING on both unique keys), and only the lines that went in
  // are summed into their invoices, which are created on first use.
  async addLines(work: UnitOfWork, lines: readonly InvoiceLineDraft[]): Promise<number> {
    if (lines.length === 0) return 0;
    const tx = prismaTransactionOf(work);
    // Sorted by call id, then invoices by id: concurrent writers lock rows in the same order.
    const sorted = [...lines].sort((a, b) => (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0));
    const column = <T>(pick: (line: InvoiceLineDraft) => T): T[] => sorted.map(pick);
    const rows = await tx.$queryRaw<Array<{ added: number }>>`
      WITH input AS (
        SELECT * FROM UNNEST(
          ${column((l) => l.invoiceId)}::uuid[], ${column((l) => l.userId)}::uuid[], ${column((l) => l.period)}::text[],
          ${column((l) => l.currency)}::text[], ${column((l) => l.eventId)}::text[], ${column((l) => l.callId)}::uuid[],
          ${column((l) => l.destination)}::text[], ${column((l) => l.startedAt)}::timestamptz[], ${column((l) => l.talkSeconds)}::int[],
          ${column((l) => l.billedSeconds)}::int[], ${column((l) => l.ratePerMinuteMicros)}::bigint[],
          ${column((l) => l.connectFeeMinor)}::bigint[], ${column((l) => l.amountMinor)}::bigint[]
        ) WITH ORDINALITY AS t(invoice_id, user_id, period, currency, event_id, call_id, destination, started_at,
                               talk_seconds, billed_seconds, rate_per_minute_micros, connect_fee_minor, amount_minor, n)
      ),
      added AS (
        INSERT INTO invoice_lines (invoice_id, event_id, call_id, destination, started_at, talk_seconds, billed_seconds,
                                   rate_per_minute_micros, connect_fee_minor, amount_minor, currency)
        SELECT invoice_id, event_id, call_id, destination, started_at, talk_seconds, billed_seconds,
               rate_per_minute_micros, connect_fee_minor, amount_minor, currency
        FROM input ORDER BY n
        ON CONFLICT DO NOTHING
        RETURNING invoice_id, amount_minor
      ),
      sums AS (
        SELECT invoice_id, SUM(amount_minor)::bigint AS total_minor, COUNT(*)::int AS line_count FROM added GROUP BY invoice_id
      ),
      invoices_of AS (
        SELECT DISTINCT invoice_id, user_id, period, currency FROM input
      ),
      upserted AS (
        INSERT INTO invoices (id, user_id, period, currency, total_minor, line_count)
        SELECT s.invoice_id, i.user_id, i.period, i.currency, s.total_minor, s.line_count
        FROM sums s JOIN invoices_of i USING (invoice_id)
        ORDER BY s.invoice_id
        ON CONFLICT (user_id, period, currency) DO UPDATE
          SET total_minor = invoices.total_minor + EXCLUDED.total_minor,
              line_count = invoices.line_count + EXCLUDED.line_count
        RETURNING line_count
      )
      SELECT (SELECT COUNT(*) FROM added)::int AS added`;
    return rows[0]?.added ?? 0;
  }

  async lockStatements(work: UnitOfWork, invoiceIds: readonly string[]): Promise<Map<string, { closed: boolean }>> {
    const ids = [...new Set(invoiceIds)].filter((id) => UUID.test(id)).sort();
    if (ids.length === 0) return new Map();
    const rows = await prismaTransactionOf(work).$queryRaw<Array<{ id: string; closed: boolean }>>`
      SELECT id::text AS id, closed_at IS NOT NULL AS closed FROM invoices WHERE id = ANY(${ids}::uuid[]) ORDER BY id FOR UPDATE`;
    return new Map(rows.map((row) => [row.id, { closed: row.closed }]));
  }

  // A row a statement is being added to is locked by that transaction: the close waits for it, then
  // closes it with its new lines.
  async closeStatementsBefore(period: string, at: Date, limit: number): Promise<number> {
    return this.db.$executeRaw`
      UPDATE invoices SET closed_at = ${at}
      WHERE id IN (SELECT id FROM invoices WHERE closed_at IS NULL AND period < ${period} ORDER BY id LIMIT ${limit})`;
  }

  async listForUser(userId: string): Promise<InvoiceSummary[]> {
    if (!UUID.test(userId)) return [];
    const rows = await this.db.invoice.findMany({ where: { userId }, orderBy: [{ period: 'desc' }, { currency: 'asc' }] });
    return rows.map(toSummary);
  }

  async find(invoiceId: string): Promise<InvoiceWithLines | undefined> {
    if (!UUID.test(invoiceId)) return undefined;
    const row = await this.db.invoice.findUnique({ where: { id: invoiceId } });
    if (!row) return undefined;
    const lines = await this.db.invoiceLine.findMany({ where: { invoiceId }, orderBy: [{ startedAt: 'asc' }, { id: 'asc' }] });
    return {
      ...toSummary(row),
      lines: lines.map((line) => ({
        eventId: line.eventId,
        callId: line.callId,
        destination: line.destination,
        startedAt: line.startedAt,
        talkSeconds: line.talkSeconds,
        billedSeconds: line.billedSeconds,
        ratePerMinuteMicros: line.ratePerMinuteMicros,
        connectFeeMinor: line.connectFeeMinor,
        amountMinor: line.amountMinor,
        currency: line.currency,
      })),
    };
  }
}
