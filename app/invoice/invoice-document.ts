import { type InvoiceWithLines } from './invoice';
import { formatDuration, formatMoney, formatRate, type MoneyFormatOptions } from './money-format';

// An invoice as a person reads it, every figure already formatted: what the HTML and the PDF
// renderings both show.
export interface InvoiceDocument {
  title: string;
  invoiceId: string;
  customer: { userId: string; name?: string; phoneNumber?: string };
  period: string;
  periodLabel: string;
  currency: string;
  status: 'open' | 'closed';
  generatedAt: string;
  showConnectFee: boolean;
  rows: InvoiceDocumentRow[];
  totals: { calls: number; talkTime: string; billedTime: string; total: string };
  notes: string[];
}

export interface InvoiceDocumentRow {
  date: string;
  destination: string;
  duration: string;
  billed: string;
  rate: string;
  connectFee: string;
  amount: string;
}

export interface DocumentOptions extends MoneyFormatOptions {
  customer?: { name?: string; phoneNumber?: string };
  now: Date;
}

// "2026-11-25 14:03:07" (UTC).
const formatTimestamp = (at: Date): string => at.toISOString().slice(0, 19).replace('T', ' ');

function periodLabelOf(period: string, locale: string): string {
  const [year, month] = period.split('-').map(Number);
  if (!year || !month) return period;
  return new Intl.DateTimeFormat(locale, { year: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(year, month - 1, 1)));
}

export function invoiceDocumentOf(invoice: InvoiceWithLines, options: DocumentOptions): InvoiceDocument {
  const money = (minor: bigint): string => formatMoney(minor, invoice.currency, options);
  let talk = 0;
  let billed = 0;
  const rows = invoice.lines.map((line) => {
    talk += line.talkSeconds;
    billed += line.billedSeconds;
    return {
      date: formatTimestamp(line.startedAt),
      destination: line.destination,
      duration: formatDuration(line.talkSeconds),
      billed: formatDuration(line.billedSeconds),
      rate: formatRate(line.ratePerMinuteMicros, line.currency, options),
      connectFee: money(line.connectFeeMinor),
      amount: money(line.amountMinor),
    };
  });
  const periodLabel = periodLabelOf(invoice.period, options.locale);
  return {
    title: `Statement ${invoice.period}`,
    invoiceId: invoice.id,
    customer: { userId: invoice.userId, ...options.customer },
    period: invoice.period,
    periodLabel,
    currency: invoice.currency,
    status: invoice.closedAt ? 'closed' : 'open',
    generatedAt: formatTimestamp(options.now),
    showConnectFee: invoice.lines.some((line) => line.connectFeeMinor !== 0n),
    rows,
    totals: { calls: invoice.lineCount, talkTime: formatDuration(talk), billedTime: formatDuration(billed), total: money(invoice.totalMinor) },
    notes: [
      'Times are in UTC. Duration is the talk time; billed is the talk time rounded up to the billing increments of the rate.',
      invoice.closedAt ? `Closed ${formatTimestamp(invoice.closedAt)}.` : `Open statement: calls made until the end of ${periodLabel} are added as they end.`,
    ],
  };
}
