import { expect } from 'chai';
import { PDFParse } from 'pdf-parse';
import { type InvoiceWithLines } from '../../../app/invoice/invoice';
import { renderInvoice } from '../../../app/invoice/invoice-rendering';
import { amountDecimal, decimalString, formatDuration, formatMoney, formatRate, rateDecimal } from '../../../app/invoice/money-format';
import { pdfMoneyDisplay } from '../../../app/invoice/pdf-invoice';

async function pdfText(pdf: Buffer): Promise<{ text: string; pages: number }> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    const result = await parser.getText();
    return { text: result.text, pages: result.total };
  } finally {
    await parser.destroy();
  }
}

function statement(lineCount: number, currency = 'EUR', options: { destination?: string } = {}): InvoiceWithLines {
  const lines = Array.from({ length: lineCount }, (_, i) => ({
    eventId: `event-${i}`,
    callId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    destination: options.destination ?? (i % 2 === 0 ? '+442071234567' : '+14155550102'),
    startedAt: new Date(Date.UTC(2026, 10, 1 + (i % 28), 9, 5, 7)),
    talkSeconds: 65 + i,
    billedSeconds: 120,
    ratePerMinuteMicros: 12_500n,
    connectFeeMinor: i === 0 ? 5n : 0n,
    amountMinor: 150n + BigInt(i),
    currency,
  }));
  return {
    id: '2f1c7d3e-1b2a-8c4d-9e5f-000000000001',
    userId: '5b0d4a51-7a36-4f39-9d8e-0b8f1a2c3d4e',
    period: '2026-11',
    currency,
    totalMinor: lines.reduce((sum, line) => sum + line.amountMinor, 0n),
    lineCount,
    createdAt: new Date('2026-11-01T09:05:07Z'),
    lines,
  };
}

const now = new Date('2026-11-25T12:00:00Z');

describe('invoice documents', function () {
  describe('money and durations', function () {
    it('given integer minor units, then the decimal is exact for any currency exponent', function () {
      expect(decimalString(1234n, 2)).to.equal('12.34');
      expect(decimalString(5n, 2)).to.equal('0.05');
      expect(decimalString(-5n, 2)).to.equal('-0.05');
      expect(decimalString(1234n, 0)).to.equal('1234');
      expect(amountDecimal(1234n, 'JPY')).to.equal('1234');
      expect(amountDecimal(1234n, 'BHD')).to.equal('1.234');
      expect(amountDecimal(9_007_199_254_740_993n, 'USD')).to.equal('90071992547409.93');
    });

    it('given a rate in micro-units per minute, then it shows the decimals it has, at least the currency minor unit', function () {
      expect(rateDecimal(50_000n, 'USD')).to.equal('0.05');
      expect(rateDecimal(12_500n, 'USD')).to.equal('0.0125');
      expect(rateDecimal(1_000_000n, 'USD')).to.equal('1.00');
      expect(rateDecimal(3_000_000n, 'JPY')).to.equal('3');
      expect(rateDecimal(1n, 'EUR')).to.equal('0.000001');
    });

    it('given a currency and a locale, then Intl formats the amount with its symbol and grouping', function () {
      expect(formatMoney(123_456n, 'USD', { locale: 'en-US' })).to.equal('$1,234.56');
      expect(formatMoney(123_456n, 'EUR', { locale: 'de-DE' })).to.equal('1.234,56\u00a0€');
      expect(formatMoney(1234n, 'JPY', { locale: 'en-US' })).to.equal('¥1,234');
      expect(formatMoney(1234n, 'INR', { locale: 'en-US', display: 'code' })).to.equal('INR\u00a012.34');
      expect(formatRate(12_500n, 'USD', { locale: 'en-US' })).to.equal('$0.0125');
      expect(formatRate(50_000n, 'USD', { locale: 'en-US' })).to.equal('$0.05');
    });

    it('given seconds, then durations read m:ss or h:mm:ss', function () {
      expect(formatDuration(0)).to.equal('0:00');
      expect(formatDuration(65)).to.equal('1:05');
      expect(formatDuration(3600 + 62)).to.equal('1:01:02');
    });

    it('given a currency whose symbol the PDF standard font lacks, then the PDF shows its code', function () {
      expect(pdfMoneyDisplay('EUR', 'en-US')).to.equal('symbol');
      expect(pdfMoneyDisplay('USD', 'fr-FR')).to.equal('symbol');
      expect(pdfMoneyDisplay('INR', 'en-US')).to.equal('code');
    });
  });

  describe('HTML', function () {
    it('given a statement, then the page lists every call with date, destination, duration, billed, rate and amount, and the total', async function () {
      const { contentType, body } = await renderInvoice(statement(3), 'html', { locale: 'en-US', now, customer: { name: 'alice', phoneNumber: '+14155550101' } });
      const html = body.toString('utf8');
      expect(contentType).to.equal('text/html; charset=utf-8');
      expect(html).to.match(/^<!DOCTYPE html>/);
      expect(html).to.include('Statement 2026-11: November 2026');
      expect(html).to.include('<td>2026-11-01 09:05:07</td><td>+442071234567</td><td class="num">1:05</td><td class="num">2:00</td><td class="num">€0.0125</td><td class="num">€0.05</td><td class="num">€1.50</td>');
      expect(html).to.include('3 calls');
      expect(html).to.include('<td class="num total">€4.53</td>');
      expect(html).to.include('alice, +14155550101');
    });

    it('given text with markup in it, then it is escaped', async function () {
      const { body } = await renderInvoice(statement(1, 'USD', { destination: '<script>x</script>' }), 'html', { locale: 'en-US', now });
      expect(body.toString()).to.not.include('<script>');
      expect(body.toString()).to.include('&lt;script&gt;x&lt;/script&gt;');
    });

    it('given a statement without calls, then the page says so and the total is zero', async function () {
      const { body } = await renderInvoice(statement(0, 'USD'), 'html', { locale: 'en-US', now });
      expect(body.toString()).to.include('No calls in this period.');
      expect(body.toString()).to.include('$0.00');
    });
  });

  describe('PDF', function () {
    it('given a statement, then the PDF parses back with its lines and its total', async function () {
      const { contentType, body } = await renderInvoice(statement(3), 'pdf', { locale: 'en-US', now, customer: { name: 'alice', phoneNumber: '+14155550101' } });
      expect(contentType).to.equal('application/pdf');
      expect(body.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
      const { text, pages } = await pdfText(body);
      expect(pages).to.equal(1);
      expect(text).to.include('Statement 2026-11: November 2026');
      expect(text).to.include('alice, +14155550101');
      expect(text).to.match(/2026-11-01 09:05:07\s+\+442071234567\s+1:05\s+2:00\s+€0\.0125\s+€0\.05\s+€1\.50/);
      expect(text).to.include('3 calls');
      expect(text).to.include('Total: €4.53');
    });

    it('given many calls, then the lines run over pages with numbered pages and the total at the end', async function () {
      const { body } = await renderInvoice(statement(120, 'USD'), 'pdf', { locale: 'en-US', now });
      const { text, pages } = await pdfText(body);
      expect(pages).to.equal(3);
      expect(text).to.include('page 3 of 3');
      expect(text.match(/\+14155550102/g)).to.have.length(60);
      expect(text).to.include('Total: $251.40');
    });

    it('given a currency without a symbol in the standard font, then amounts show its code', async function () {
      const { body } = await renderInvoice(statement(1, 'INR'), 'pdf', { locale: 'en-US', now });
      expect((await pdfText(body)).text).to.include('Total: INR');
    });
  });
});
