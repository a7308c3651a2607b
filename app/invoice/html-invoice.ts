import { type InvoiceDocument } from './invoice-document';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escape = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

const STYLE = `
  body { font-family: system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1d2330; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; }
  h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
  .meta { color: #59606d; margin: 0 0 1.5rem; }
  .meta dt { float: left; clear: left; width: 9rem; }
  .meta dd { margin: 0 0 .15rem 9rem; color: #1d2330; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { padding: .35rem .5rem; border-bottom: 1px solid #e3e6eb; text-align: left; white-space: nowrap; }
  th { background: #f4f6f8; font-weight: 600; }
  td.num, th.num { text-align: right; }
  tfoot td { font-weight: 600; border-top: 2px solid #1d2330; border-bottom: none; }
  .total { font-size: 1.15rem; }
  .notes { color: #59606d; font-size: .85rem; margin-top: 1.5rem; }
  .empty { color: #59606d; font-style: italic; }`;

// A self-contained HTML page (inline style, no scripts, nothing fetched) of one statement.
export function renderInvoiceHtml(doc: InvoiceDocument): string {
  const fee = doc.showConnectFee;
  const header = ['<th>Date (UTC)</th>', '<th>Destination</th>', '<th class="num">Duration</th>', '<th class="num">Billed</th>', '<th class="num">Rate / min</th>']
    .concat(fee ? ['<th class="num">Connect fee</th>'] : [])
    .concat('<th class="num">Amount</th>')
    .join('');
  const columns = fee ? 7 : 6;
  const body =
    doc.rows.length === 0
      ? `<tr><td class="empty" colspan="${columns}">No calls in this period.</td></tr>`
      : doc.rows
          .map((row) =>
            [
              `<td>${escape(row.date)}</td>`,
              `<td>${escape(row.destination)}</td>`,
              `<td class="num">${escape(row.duration)}</td>`,
              `<td class="num">${escape(row.billed)}</td>`,
              `<td class="num">${escape(row.rate)}</td>`,
              ...(fee ? [`<td class="num">${escape(row.connectFee)}</td>`] : []),
              `<td class="num">${escape(row.amount)}</td>`,
            ].join(''),
          )
          .map((cells) => `<tr>${cells}</tr>`)
          .join('\n');
  const customer = [doc.customer.name, doc.customer.phoneNumber].filter(Boolean).join(', ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(doc.title)} - ${escape(doc.periodLabel)}</title>
<style>${STYLE}
</style>
</head>
<body>
<h1>${escape(doc.title)}: ${escape(doc.periodLabel)}</h1>
<dl class="meta">
<dt>Invoice</dt><dd>${escape(doc.invoiceId)}</dd>
<dt>Customer</dt><dd>${escape(customer || doc.customer.userId)}</dd>
<dt>Currency</dt><dd>${escape(doc.currency)}</dd>
<dt>Status</dt><dd>${escape(doc.status)}</dd>
<dt>Generated</dt><dd>${escape(doc.generatedAt)} UTC</dd>
</dl>
<table>
<thead><tr>${header}</tr></thead>
<tbody>
${body}
</tbody>
<tfoot>
<tr><td colspan="2">${doc.totals.calls} ${doc.totals.calls === 1 ? 'call' : 'calls'}</td><td class="num">${escape(doc.totals.talkTime)}</td><td class="num">${escape(doc.totals.billedTime)}</td><td colspan="${columns - 5}"></td><td class="num total">${escape(doc.totals.total)}</td></tr>
</tfoot>
</table>
<div class="notes">${doc.notes.map((note) => `<p>${escape(note)}</p>`).join('\n')}</div>
</body>
</html>
`;
}
