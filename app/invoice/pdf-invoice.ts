import PDFDocument from 'pdfkit';
import { type InvoiceDocument, type InvoiceDocumentRow } from './invoice-document';
import { formatMoney } from './money-format';

// PDF rendering with pdfkit and its built-in Helvetica: no font files to ship. The standard fonts
// cover WinAnsi (Latin-1 plus the euro sign, dashes, quotes ...) only.
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const isWinAnsi = (text: string): boolean =>
  [...text].every((c) => {
    const code = c.codePointAt(0) ?? 0;
    return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(c);
  });

// Narrow no-break spaces (fr-FR groups digits with them) become plain no-break spaces.
const toWinAnsiSpaces = (text: string): string => text.replace(/\u202f/g, '\u00a0');

// How amounts of this currency can be shown in the PDF: with the symbol where the standard font
// has it ($, €, £, ¥), else with the ISO code (INR 12.50 rather than a missing ₹).
export function pdfMoneyDisplay(currency: string, locale: string): 'symbol' | 'code' {
  return isWinAnsi(toWinAnsiSpaces(formatMoney(-123456789n, currency, { locale, display: 'symbol' }))) ? 'symbol' : 'code';
}

const PAGE = { width: 595.28, height: 841.89, margin: 50 };
const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;
const ROW_HEIGHT = 15;
const FOOTER_SPACE = 40;

interface Column {
  title: string;
  width: number;
  align: 'left' | 'right';
  value: (row: InvoiceDocumentRow) => string;
}

function columnsOf(doc: InvoiceDocument): Column[] {
  const base: Column[] = [
    { title: 'Date (UTC)', width: 100, align: 'left', value: (row) => row.date },
    { title: 'Destination', width: 95, align: 'left', value: (row) => row.destination },
    { title: 'Duration', width: 50, align: 'right', value: (row) => row.duration },
    { title: 'Billed', width: 50, align: 'right', value: (row) => row.billed },
    { title: 'Rate / min', width: 70, align: 'right', value: (row) => row.rate },
  ];
  if (doc.showConnectFee) base.push({ title: 'Connect fee', width: 60, align: 'right', value: (row) => row.connectFee });
  // The amount column takes what is left of the width.
  const used = base.reduce((sum, column) => sum + column.width, 0);
  base.push({ title: 'Amount', width: CONTENT_WIDTH - used, align: 'right', value: (row) => row.amount });
  return base;
}

const clean = (text: string): string => {
  const spaced = toWinAnsiSpaces(text);
  return isWinAnsi(spaced) ? spaced : [...spaced].map((c) => (isWinAnsi(c) ? c : '?')).join('');
};

// A4 statement: heading and customer, the call lines (the header row repeats on every page),
// totals, notes and "page n of m".
export function renderInvoicePdf(doc: InvoiceDocument): Promise<Buffer> {
  const pdf = new PDFDocument({
    size: 'A4',
    margin: PAGE.margin,
    bufferPages: true,
    info: { Title: `${doc.title} ${doc.invoiceId}`, Subject: `${doc.periodLabel}, ${doc.currency}`, Author: 'Calling platform' },
  });
  const chunks: Buffer[] = [];
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });

  const columns = columnsOf(doc);
  const left = PAGE.margin;
  const bottom = PAGE.height - PAGE.margin - FOOTER_SPACE;
  const cells = (values: string[], y: number, font: string): void => {
    pdf.font(font).fontSize(9);
    let x = left;
    columns.forEach((column, index) => {
      pdf.text(clean(values[index] ?? ''), x + 2, y + 3, { width: column.width - 4, align: column.align, lineBreak: false });
      x += column.width;
    });
  };
  const headerRow = (y: number): number => {
    pdf.rect(left, y, CONTENT_WIDTH, ROW_HEIGHT).fill('#f0f2f5').fillColor('#000000');
    cells(columns.map((column) => column.title), y, 'Helvetica-Bold');
    return y + ROW_HEIGHT;
  };

  // Heading
  pdf.font('Helvetica-Bold').fontSize(18).text(clean(`${doc.title}: ${doc.periodLabel}`), left, PAGE.margin);
  pdf.moveDown(0.6);
  const customer = [doc.customer.name, doc.customer.phoneNumber].filter(Boolean).join(', ') || doc.customer.userId;
  const meta: Array<[string, string]> = [
    ['Invoice', doc.invoiceId],
    ['Customer', customer],
    ['Currency', doc.currency],
    ['Status', doc.status],
    ['Generated', `${doc.generatedAt} UTC`],
  ];
  for (const [label, value] of meta) {
    const y = pdf.y;
    pdf.font('Helvetica').fontSize(10).fillColor('#555555').text(label, left, y, { width: 90 });
    pdf.fillColor('#000000').text(clean(value), left + 90, y, { width: CONTENT_WIDTH - 90 });
  }

  // Lines
  let y = headerRow(pdf.y + 14);
  if (doc.rows.length === 0) {
    pdf.font('Helvetica-Oblique').fontSize(9).text('No calls in this period.', left + 2, y + 3);
    y += ROW_HEIGHT;
  }
  for (const row of doc.rows) {
    if (y + ROW_HEIGHT > bottom) {
      pdf.addPage();
      y = headerRow(PAGE.margin);
    }
    cells(columns.map((column) => column.value(row)), y, 'Helvetica');
    pdf.moveTo(left, y + ROW_HEIGHT).lineTo(left + CONTENT_WIDTH, y + ROW_HEIGHT).lineWidth(0.5).strokeColor('#dddddd').stroke();
    y += ROW_HEIGHT;
  }

  // Totals
  if (y + 3 * ROW_HEIGHT > bottom) {
    pdf.addPage();
    y = PAGE.margin;
  }
  pdf.moveTo(left, y + 2).lineTo(left + CONTENT_WIDTH, y + 2).lineWidth(1).strokeColor('#000000').stroke();
  const totals = columns.map(() => '');
  totals[0] = `${doc.totals.calls} ${doc.totals.calls === 1 ? 'call' : 'calls'}`;
  totals[2] = doc.totals.talkTime;
  totals[3] = doc.totals.billedTime;
  cells(totals, y + 4, 'Helvetica-Bold');
  pdf.font('Helvetica-Bold').fontSize(11).text(clean(`Total: ${doc.totals.total}`), left, y + 4 + ROW_HEIGHT + 4, { width: CONTENT_WIDTH, align: 'right' });
  pdf.moveDown(1.5);
  pdf.font('Helvetica').fontSize(8).fillColor('#555555');
  for (const note of doc.notes) pdf.text(clean(note), left, pdf.y, { width: CONTENT_WIDTH });

  // Page numbers, once the number of pages is known.
  const range = pdf.bufferedPageRange();
  for (let index = range.start; index < range.start + range.count; index += 1) {
    pdf.switchToPage(index);
    pdf.font('Helvetica').fontSize(8).fillColor('#555555');
    pdf.text(`${doc.invoiceId} - page ${index - range.start + 1} of ${range.count}`, left, PAGE.height - PAGE.margin - 10, {
      width: CONTENT_WIDTH,
      align: 'center',
      lineBreak: false,
    });
  }
  pdf.end();
  return done;
}
