import { expect } from 'chai';
import { firstSlice, nextSlice, settlementOf } from '../../../app/billing/reservation';
import { type Tariff } from '../../../app/rating';

const tariff = (overrides: Partial<Tariff> = {}): Tariff => ({
  ratePerMinuteMicros: 600_000n, // 0.60 a minute
  connectFeeMinor: 10n,
  firstIncrementSeconds: 60,
  nextIncrementSeconds: 60,
  rounding: 'up',
  minorUnitDigits: 2,
  ...overrides,
});

describe('billing: reservation slices and settlement', function () {
  it('given enough credit, then the first slice is the slice length rounded up to whole increments, at its full cost', function () {
    expect(firstSlice(tariff(), 1000n, 60)).to.deep.equal({ seconds: 60, costMinor: 70n });
    expect(firstSlice(tariff({ firstIncrementSeconds: 90, nextIncrementSeconds: 30 }), 1000n, 60)).to.deep.equal({ seconds: 90, costMinor: 100n });
    expect(firstSlice(tariff({ firstIncrementSeconds: 30, nextIncrementSeconds: 6 }), 1000n, 45)).to.deep.equal({ seconds: 48, costMinor: 58n });
  });

  it('given too little credit for a whole slice, then a shorter one of whole increments; given not even the fee and first increment, then none', function () {
    const perSecond = tariff({ firstIncrementSeconds: 1, nextIncrementSeconds: 1, connectFeeMinor: 0n });
    expect(firstSlice(perSecond, 25n, 60)).to.deep.equal({ seconds: 25, costMinor: 25n });
    expect(firstSlice(tariff(), 69n, 60)).to.equal(undefined);
    expect(firstSlice(perSecond, 0n, 60)).to.equal(undefined);
  });

  it('given a held slice, then the next one adds a slice on the cumulative cost, partially when credit is short, and nothing when it is spent', function () {
    const perSecond = tariff({ firstIncrementSeconds: 1, nextIncrementSeconds: 1, connectFeeMinor: 0n });
    const held = { seconds: 60, costMinor: 60n };
    expect(nextSlice(perSecond, held, 100n, 60)).to.deep.equal({ seconds: 120, costMinor: 120n });
    expect(nextSlice(perSecond, held, 30n, 60)).to.deep.equal({ seconds: 90, costMinor: 90n });
    expect(nextSlice(perSecond, held, 0n, 60)).to.equal(undefined);
    // Rounding on the total: 0.012/min per second costs 1 cent for the first 50 s and for 100 s.
    const cheap = tariff({ ratePerMinuteMicros: 12_000n, firstIncrementSeconds: 1, nextIncrementSeconds: 1, connectFeeMinor: 0n });
    expect(nextSlice(cheap, { seconds: 60, costMinor: 2n }, 0n, 60)).to.deep.equal({ seconds: 100, costMinor: 2n });
  });

  it('given a rated call within its reservation, then it is charged and the rest released', function () {
    expect(settlementOf(50n, 70n, 500n)).to.deep.equal({ extraReserveMinor: 0n, chargeMinor: 50n, releaseMinor: 20n, shortfallMinor: 0n });
    expect(settlementOf(0n, 70n, 500n)).to.deep.equal({ extraReserveMinor: 0n, chargeMinor: 0n, releaseMinor: 70n, shortfallMinor: 0n });
  });

  it('given a call that ran past its reservation, then available credit covers what it can and the rest is a shortfall', function () {
    expect(settlementOf(130n, 70n, 100n)).to.deep.equal({ extraReserveMinor: 60n, chargeMinor: 130n, releaseMinor: 0n, shortfallMinor: 0n });
    expect(settlementOf(130n, 70n, 20n)).to.deep.equal({ extraReserveMinor: 20n, chargeMinor: 90n, releaseMinor: 0n, shortfallMinor: 40n });
    expect(settlementOf(130n, 0n, 0n)).to.deep.equal({ extraReserveMinor: 0n, chargeMinor: 0n, releaseMinor: 0n, shortfallMinor: 130n });
  });
});
