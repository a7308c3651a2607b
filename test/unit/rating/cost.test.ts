import { expect } from 'chai';
import { billedSeconds, costMinor, maxAffordableSeconds, type Rounding, type Tariff, talkSecondsOf } from '../../../app/rating';

const tariff = (overrides: Partial<Tariff> = {}): Tariff => ({
  ratePerMinuteMicros: 100_000n, // 0.10 a minute
  connectFeeMinor: 0n,
  firstIncrementSeconds: 60,
  nextIncrementSeconds: 60,
  rounding: 'up',
  minorUnitDigits: 2,
  ...overrides,
});

// A small deterministic generator, so a failure can be replayed.
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe('rating: cost of a call', function () {
  it('given talk time, then billed seconds follow the first and next increments', function () {
    const sixty = { firstIncrementSeconds: 60, nextIncrementSeconds: 60 };
    expect([0, 1, 60, 61, 120, 121].map((s) => billedSeconds(sixty, s))).to.deep.equal([0, 60, 60, 120, 120, 180]);
    const thirtySix = { firstIncrementSeconds: 30, nextIncrementSeconds: 6 };
    expect([1, 30, 31, 36, 37].map((s) => billedSeconds(thirtySix, s))).to.deep.equal([30, 30, 36, 36, 42]);
    expect([1, 59, 61].map((s) => billedSeconds({ firstIncrementSeconds: 1, nextIncrementSeconds: 1 }, s))).to.deep.equal([1, 59, 61]);
  });

  it('given milliseconds of talk, then any started second counts', function () {
    expect([0, 1, 999, 1000, 1001, 90_001].map(talkSecondsOf)).to.deep.equal([0, 1, 1, 1, 2, 91]);
  });

  it('given a connect fee and a rate, then the total is fee plus billed minutes, rounded once by the rule', function () {
    const perSecond = tariff({ ratePerMinuteMicros: 12_000n, firstIncrementSeconds: 1, nextIncrementSeconds: 1 });
    // 91 s at 0.012/min = 1.82 cents.
    const cost = (rounding: Rounding, seconds: number, fee = 0n): bigint => costMinor({ ...perSecond, rounding, connectFeeMinor: fee }, seconds);
    expect([cost('up', 91), cost('nearest', 91), cost('down', 91)]).to.deep.equal([2n, 2n, 1n]);
    // 75 s = 1.5 cents exactly: nearest rounds half up.
    expect([cost('up', 75), cost('nearest', 75), cost('down', 75)]).to.deep.equal([2n, 2n, 1n]);
    expect([cost('up', 40), cost('nearest', 40), cost('down', 40)]).to.deep.equal([1n, 1n, 0n]);
    expect([cost('up', 20), cost('nearest', 20), cost('down', 20)]).to.deep.equal([1n, 0n, 0n]);
    expect(cost('down', 91, 10n)).to.equal(11n);
    expect(costMinor(tariff({ connectFeeMinor: 5n }), 61)).to.equal(25n);
    expect(costMinor(tariff({ connectFeeMinor: 5n }), 0)).to.equal(0n);
  });

  it('given currencies with 0 or 3 decimals, then micro-unit rates convert exactly', function () {
    expect(costMinor(tariff({ minorUnitDigits: 0, ratePerMinuteMicros: 2_500_000n, rounding: 'down' }), 60)).to.equal(2n);
    expect(costMinor(tariff({ minorUnitDigits: 3, ratePerMinuteMicros: 1_234n, rounding: 'up' }), 60)).to.equal(2n);
  });

  it('given a budget, then the max talk time is the longest affordable one (fee, increments and rounding counted)', function () {
    const t = tariff({ connectFeeMinor: 5n });
    expect(maxAffordableSeconds(t, 100n)).to.equal(540);
    expect(maxAffordableSeconds(t, 14n)).to.equal(0);
    expect(maxAffordableSeconds(t, 15n)).to.equal(60);
    expect(maxAffordableSeconds(t, 1000n, 120)).to.equal(120);
    expect(maxAffordableSeconds(t, -1n)).to.equal(0);
    expect(maxAffordableSeconds(tariff({ ratePerMinuteMicros: 0n, connectFeeMinor: 5n }), 5n)).to.equal(Number.POSITIVE_INFINITY);
    expect(maxAffordableSeconds(tariff({ ratePerMinuteMicros: 0n, connectFeeMinor: 5n }), 4n)).to.equal(0);
    expect(maxAffordableSeconds(tariff({ ratePerMinuteMicros: 1n, rounding: 'down' }), 10n ** 15n)).to.equal(2_147_483_647);
  });

  it('given random tariffs and budgets, then the binary search agrees with counting second by second', function () {
    const next = random(42);
    const roundings: Rounding[] = ['up', 'nearest', 'down'];
    for (let i = 0; i < 300; i += 1) {
      const t = tariff({
        ratePerMinuteMicros: BigInt(Math.floor(next() * 300_000)),
        connectFeeMinor: BigInt(Math.floor(next() * 20)),
        firstIncrementSeconds: 1 + Math.floor(next() * 90),
        nextIncrementSeconds: 1 + Math.floor(next() * 60),
        rounding: roundings[i % 3] ?? 'up',
      });
      const budget = BigInt(Math.floor(next() * 200));
      const limit = 600;
      let expected = 0;
      for (let s = 1; s <= limit; s += 1) if (costMinor(t, s) <= budget) expected = s;
      expect(maxAffordableSeconds(t, budget, limit), JSON.stringify({ ...t, ratePerMinuteMicros: String(t.ratePerMinuteMicros), connectFeeMinor: String(t.connectFeeMinor), budget: String(budget) })).to.equal(expected);
    }
  });
});
