import { expect } from 'chai';
import { parseAmount } from '../../../app/billing/money';
import { newPricePlan, type PricePlan } from '../../../app/billing/price-plan';
import { candidatePrefixes, onNetSnapshot, pstnSnapshot } from '../../../app/billing/rate-selection';

const codeOf = (work: () => unknown): unknown => {
  try {
    work();
    return undefined;
  } catch (error) {
    return (error as { code?: string; details?: Record<string, unknown> }).code;
  }
};

describe('billing: amounts, price plans and rate selection', function () {
  it('given a top-up amount, then it becomes minor units of its currency, or a clear error', function () {
    expect(parseAmount('10.50', 'USD', 1000)).to.equal(1050n);
    expect(parseAmount('500', 'JPY', 100_000)).to.equal(500n);
    expect(parseAmount('1.234', 'KWD', 1000)).to.equal(1234n);
    for (const [amount, currency] of [['0', 'USD'], ['0.00', 'USD'], ['-1', 'USD'], ['1.5', 'JPY'], ['1.001', 'USD'], ['1001', 'USD'], ['abc', 'USD']]) {
      expect(codeOf(() => parseAmount(amount ?? '', currency ?? '', 1000)), `${amount} ${currency}`).to.equal('BILLING.INVALID_AMOUNT');
    }
    expect(codeOf(() => parseAmount('1', 'XYZ', 1000))).to.equal('RATING.UNKNOWN_CURRENCY');
  });

  it('given a plan, then defaults apply (free on-net, 60/60, up, UTC) and bad fields are refused by name', function () {
    expect(newPricePlan({ name: ' retail ', currency: 'EUR' })).to.deep.equal({
      name: 'retail',
      currency: 'EUR',
      onNetRatePerMinuteMicros: 0n,
      onNetConnectFeeMinor: 0n,
      firstIncrementSeconds: 60,
      nextIncrementSeconds: 60,
      rounding: 'up',
      timeZone: 'UTC',
    });
    expect(newPricePlan({ name: 'x', currency: 'USD', onNetRatePerMinute: '0.015', onNetConnectFee: '0.02' })).to.include({ onNetRatePerMinuteMicros: 15_000n, onNetConnectFeeMinor: 2n });
    expect(codeOf(() => newPricePlan({ name: '', currency: 'USD' }))).to.equal('PRICE_PLAN.INVALID');
    expect(codeOf(() => newPricePlan({ name: 'x', currency: 'ABC' }))).to.equal('RATING.UNKNOWN_CURRENCY');
    expect(codeOf(() => newPricePlan({ name: 'x', currency: 'USD', rounding: 'half-even' }))).to.equal('PRICE_PLAN.INVALID');
    expect(codeOf(() => newPricePlan({ name: 'x', currency: 'USD', timeZone: 'Nowhere/Else' }))).to.equal('PRICE_PLAN.INVALID');
    expect(codeOf(() => newPricePlan({ name: 'x', currency: 'JPY', onNetConnectFee: '0.5' }))).to.equal('PRICE_PLAN.INVALID');
    expect(codeOf(() => newPricePlan({ name: 'x', currency: 'USD', nextIncrementSeconds: 0 }))).to.equal('PRICE_PLAN.INVALID');
  });

  it('given a destination, then its candidate prefixes run from longest to shortest, up to 15 digits', function () {
    expect(candidatePrefixes('+4420')).to.deep.equal(['4420', '442', '44', '4']);
    expect(candidatePrefixes('+1234567890123456789')).to.have.length(15);
    expect(candidatePrefixes('alice')).to.deep.equal([]);
  });

  it("given a plan's rates, then a PSTN call gets the longest prefix's rate with the plan's defaults filled in; on-net calls get the plan's rule", function () {
    const plan: PricePlan = { ...newPricePlan({ name: 'p', currency: 'USD', timeZone: 'Europe/London', firstIncrementSeconds: 30, nextIncrementSeconds: 6, rounding: 'down', onNetRatePerMinute: '0.01' }), id: 'plan-1', createdAt: new Date() };
    const rates = [
      { prefix: '44', ratePerMinuteMicros: 100_000n, connectFeeMinor: 0n },
      { prefix: '4420', ratePerMinuteMicros: 50_000n, connectFeeMinor: 1n, firstIncrementSeconds: 60 },
      { prefix: '4420', ratePerMinuteMicros: 10_000n, connectFeeMinor: 0n, timeFromMinute: 19 * 60, timeToMinute: 7 * 60 },
    ];
    const day = pstnSnapshot(plan, rates, '+442071234567', new Date('2026-07-01T12:00:00Z'));
    expect(day).to.deep.equal({ currency: 'USD', destination: '+442071234567', planId: 'plan-1', prefix: '4420', ratePerMinuteMicros: 50_000n, connectFeeMinor: 1n, firstIncrementSeconds: 60, nextIncrementSeconds: 6, rounding: 'down' });
    // 18:30 UTC is 19:30 in London in summer.
    expect(pstnSnapshot(plan, rates, '+442071234567', new Date('2026-07-01T18:30:00Z'))?.ratePerMinuteMicros).to.equal(10_000n);
    expect(pstnSnapshot(plan, rates, '+33123', new Date())).to.equal(undefined);
    expect(onNetSnapshot(plan, '+14155550100')).to.deep.include({ ratePerMinuteMicros: 10_000n, connectFeeMinor: 0n, firstIncrementSeconds: 30, nextIncrementSeconds: 6 });
  });
});
