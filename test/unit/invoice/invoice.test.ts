import { expect } from 'chai';
import { z } from 'zod';
import { billingPeriodOf, createInvoiceLine, invoiceIdOf, isInvoiced } from '../../../app/invoice/invoice';
import { CALLER, chargeOf, endedCall } from './fakes';

describe('invoice lines', function () {
  it('given a call start, then its statement month is the calendar month in UTC', function () {
    expect(billingPeriodOf(new Date('2026-11-30T23:59:59.999Z'))).to.equal('2026-11');
    expect(billingPeriodOf(new Date('2026-12-01T00:00:00.000Z'))).to.equal('2026-12');
  });

  it('given a user, month and currency, then the statement id is always the same valid UUID, and differs for another key', function () {
    const id = invoiceIdOf(CALLER.userId, '2026-11', 'USD');
    expect(invoiceIdOf(CALLER.userId, '2026-11', 'USD')).to.equal(id);
    expect(z.uuid().safeParse(id).success).to.be.true;
    expect(id[14]).to.equal('8'); // version 8: custom
    expect(invoiceIdOf(CALLER.userId, '2026-12', 'USD')).to.not.equal(id);
    expect(invoiceIdOf(CALLER.userId, '2026-11', 'EUR')).to.not.equal(id);
  });

  it("given billing's charge of a call, then the line carries billing's figures on the statement of the call's month", function () {
    const event = endedCall({ talkMs: 61_000, at: '2026-11-02T08:00:00.000Z' });
    const line = createInvoiceLine(event.id, chargeOf(event));
    expect(line).to.deep.include({
      invoiceId: invoiceIdOf(CALLER.userId, '2026-11', 'USD'),
      userId: CALLER.userId,
      period: '2026-11',
      eventId: event.id,
      callId: event.callId,
      destination: '+14155550102',
      talkSeconds: 61,
      billedSeconds: 120,
      ratePerMinuteMicros: 60_000n,
      amountMinor: 7n,
    });
  });

  it('given a call that cost more than the account had, then its line shows what was charged, not the shortfall', function () {
    const event = endedCall({ talkMs: 600_000 });
    const line = createInvoiceLine(event.id, { ...chargeOf(event), amountMinor: 60n, shortfallMinor: 15n });
    expect(line.amountMinor).to.equal(45n);
  });

  it('given an answered call, an unanswered one and one billing did not settle, then only the answered one (or a charged one) is invoiced', function () {
    const answered = endedCall();
    const unanswered = endedCall({ answered: false });
    expect(isInvoiced(answered, chargeOf(answered))).to.be.true;
    expect(isInvoiced(answered, undefined)).to.be.false;
    expect(isInvoiced(unanswered, { ...chargeOf(answered), amountMinor: 0n })).to.be.false;
    expect(isInvoiced(unanswered, { ...chargeOf(answered), amountMinor: 3n })).to.be.true;
  });
});
