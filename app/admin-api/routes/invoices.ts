import { type Request, Router } from 'express';
import { z } from 'zod';
import { amountDecimal, type InvoiceFormat, type InvoiceService, type InvoiceSummary, type InvoiceWithLines, rateDecimal, renderInvoice } from '../../invoice';
import { UserNotFoundError, type UserService } from '../../users';
import { errorBody } from '../http-errors';
import { allow } from '../operator-auth';

const IdParam = z.object({ id: z.string().min(1).max(64) });

const isSupportedLocale = (locale: string): boolean => {
  try {
    return Intl.NumberFormat.supportedLocalesOf([locale]).length === 1;
  } catch {
    return false; // not a well-formed language tag
  }
};

const InvoiceQuery = z
  .object({
    format: z.enum(['json', 'html', 'pdf']).optional(),
    locale: z.string().max(35).refine(isSupportedLocale, 'an unsupported locale; use a BCP 47 tag such as en-US or de-DE').optional(),
  })
  .strict();

// Integer minor units as JSON numbers: exact up to 2^53, far beyond any statement.
const integer = (value: bigint): number => Number(value);

export function toInvoiceSummaryResponse(invoice: InvoiceSummary): Record<string, unknown> {
  return {
    id: invoice.id,
    userId: invoice.userId,
    period: invoice.period,
    currency: invoice.currency,
    status: invoice.closedAt ? 'closed' : 'open',
    totalMinor: integer(invoice.totalMinor),
    total: amountDecimal(invoice.totalMinor, invoice.currency),
    lineCount: invoice.lineCount,
    createdAt: invoice.createdAt.toISOString(),
    ...(invoice.closedAt ? { closedAt: invoice.closedAt.toISOString() } : {}),
  };
}

export function toInvoiceResponse(invoice: InvoiceWithLines): Record<string, unknown> {
  return {
    ...toInvoiceSummaryResponse(invoice),
    lines: invoice.lines.map((line) => ({
      callId: line.callId,
      eventId: line.eventId,
      destination: line.destination,
      startedAt: line.startedAt.toISOString(),
      talkSeconds: line.talkSeconds,
      billedSeconds: line.billedSeconds,
      ratePerMinuteMicros: integer(line.ratePerMinuteMicros),
      ratePerMinute: rateDecimal(line.ratePerMinuteMicros, line.currency),
      connectFeeMinor: integer(line.connectFeeMinor),
      amountMinor: integer(line.amountMinor),
      amount: amountDecimal(line.amountMinor, line.currency),
    })),
  };
}

const MEDIA_TYPES: Record<string, 'json' | InvoiceFormat> = { 'application/json': 'json', 'text/html': 'html', 'application/pdf': 'pdf' };

// ?format= wins; otherwise the Accept header (JSON when it accepts anything).
function formatOf(req: Request, requested: 'json' | InvoiceFormat | undefined): 'json' | InvoiceFormat | undefined {
  if (requested) return requested;
  const best = req.accepts(Object.keys(MEDIA_TYPES));
  return best ? MEDIA_TYPES[best] : undefined;
}

// Mounted on /v1: a user's monthly statements, and one statement as JSON, HTML or PDF.
export function invoicesRouter(invoices: InvoiceService, users: UserService, options: { locale?: string; now?: () => Date } = {}): Router {
  const router = Router();
  const now = options.now ?? (() => new Date());

  router.get('/users/:id/invoices', allow('admin', 'billing'), async (req, res) => {
    const { id } = IdParam.parse(req.params);
    const list = await invoices.listForUser(id);
    // A deleted user's statements stay readable; with none, an unknown user is a 404.
    if (list.length === 0) await users.get(id);
    res.json({ invoices: list.map(toInvoiceSummaryResponse) });
  });

  router.get('/invoices/:id', allow('admin', 'billing'), async (req, res) => {
    const { id } = IdParam.parse(req.params);
    const query = InvoiceQuery.parse(req.query);
    res.vary('Accept');
    const format = formatOf(req, query.format);
    if (!format) {
      res.status(406).json(errorBody('REQUEST.NOT_ACCEPTABLE', 'an invoice is available as application/json, text/html or application/pdf'));
      return;
    }
    const invoice = await invoices.get(id);
    if (format === 'json') {
      res.json(toInvoiceResponse(invoice));
      return;
    }
    // The customer's name and number head the document; a deleted user's statement goes without.
    const user = await users.get(invoice.userId).catch((error: unknown) => {
      if (error instanceof UserNotFoundError) return undefined;
      throw error;
    });
    const rendered = await renderInvoice(invoice, format, {
      locale: query.locale ?? options.locale ?? 'en-US',
      now: now(),
      ...(user ? { customer: { name: user.username, phoneNumber: user.phoneNumber } } : {}),
    });
    if (format === 'html') res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    else res.set('Content-Disposition', `inline; filename="invoice-${invoice.period}-${invoice.currency}.pdf"`);
    res.type(rendered.contentType).send(rendered.body);
  });

  return router;
}
