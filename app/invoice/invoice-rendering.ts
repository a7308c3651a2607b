import { renderInvoiceHtml } from './html-invoice';
import { type InvoiceWithLines } from './invoice';
import { invoiceDocumentOf } from './invoice-document';
import { pdfMoneyDisplay, renderInvoicePdf } from './pdf-invoice';

export type InvoiceFormat = 'html' | 'pdf';

export interface RenderOptions {
  // BCP 47 locale of the figures and month names (Intl), e.g. en-US, de-DE.
  locale: string;
  customer?: { name?: string; phoneNumber?: string };
  now: Date;
}

// A statement as a document a person reads: an HTML page or an A4 PDF.
export async function renderInvoice(invoice: InvoiceWithLines, format: InvoiceFormat, options: RenderOptions): Promise<{ contentType: string; body: Buffer }> {
  if (format === 'html') {
    const doc = invoiceDocumentOf(invoice, { ...options, display: 'symbol' });
    return { contentType: 'text/html; charset=utf-8', body: Buffer.from(renderInvoiceHtml(doc), 'utf8') };
  }
  const doc = invoiceDocumentOf(invoice, { ...options, display: pdfMoneyDisplay(invoice.currency, options.locale) });
  return { contentType: 'application/pdf', body: await renderInvoicePdf(doc) };
}
