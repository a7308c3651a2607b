import { expect } from 'chai';
import { type RateInput, RateTable, RateTableBuilder } from '../../../app/rating';

const rate = (prefix: string, micros: number, extra: Partial<RateInput> = {}): RateInput => ({ prefix, ratePerMinuteMicros: BigInt(micros), connectFeeMinor: 0n, ...extra });
const at = (hh: number, mm = 0): number => hh * 60 + mm;

describe('rating: rate table (longest prefix)', function () {
  const table = RateTable.of([
    rate('44', 100, { tag: 1 }),
    rate('4420', 50, { tag: 2, firstIncrementSeconds: 30, nextIncrementSeconds: 6 }),
    rate('4420', 20, { tag: 3, timeFromMinute: at(19), timeToMinute: at(7) }),
    rate('447', 300, { tag: 4, timeFromMinute: at(9), timeToMinute: at(17) }),
    rate('1', 10, { tag: 5, connectFeeMinor: 3n }),
    rate('0044', 1, { tag: 6 }),
  ]);

  it('given a destination, then the rate of its longest matching prefix is used ("+" and extra digits ignored)', function () {
    expect(table.lookup('+442071234567')?.tag).to.equal(2);
    expect(table.lookup('442071234567')?.tag).to.equal(2);
    expect(table.lookup('+441134960000')?.tag).to.equal(1);
    expect(table.lookup('+14155550100')).to.deep.equal({ prefix: '1', ratePerMinuteMicros: 10n, connectFeeMinor: 3n, tag: 5 });
    expect(table.lookup('+4420')).to.deep.include({ prefix: '4420', firstIncrementSeconds: 30, nextIncrementSeconds: 6 });
    expect(table.lookup('+33123456789')).to.equal(undefined);
    expect(table.lookup('+4')).to.equal(undefined);
    expect(table.lookup('')).to.equal(undefined);
    expect(table.lookup('+44abc')).to.equal(undefined);
  });

  it('given prefixes with leading zeros, then they are distinct from the same digits without them', function () {
    expect(table.lookup('00441234')?.prefix).to.equal('0044');
    expect(table.lookup('0441234')).to.equal(undefined);
  });

  it('given time-of-day bands, then a band containing the start wins, a band wraps past midnight, and no minute means all day', function () {
    expect(table.lookup('+442071234567', at(12))?.tag).to.equal(2);
    expect(table.lookup('+442071234567', at(19))?.tag).to.equal(3);
    expect(table.lookup('+442071234567', at(23, 59))?.tag).to.equal(3);
    expect(table.lookup('+442071234567', at(6, 59))?.tag).to.equal(3);
    expect(table.lookup('+442071234567', at(7))?.tag).to.equal(2);
    expect(table.lookup('+442071234567')?.tag).to.equal(2);
  });

  it('given a prefix with only bands, then outside them the next shorter prefix prices the call', function () {
    expect(table.lookup('+447700900123', at(10))?.tag).to.equal(4);
    expect(table.lookup('+447700900123', at(17))?.tag).to.equal(1);
    expect(table.lookup('+447700900123')?.tag).to.equal(1);
  });

  it('given clashing rows, then each clash names both rows: a repeated all-day rate, a repeated band, overlapping bands', function () {
    const builder = new RateTableBuilder();
    builder.add(rate('44', 1, { tag: 10 }));
    builder.add(rate('44', 2, { tag: 11 }));
    builder.add(rate('44', 3, { tag: 12, timeFromMinute: at(22), timeToMinute: at(6) }));
    builder.add(rate('44', 4, { tag: 13, timeFromMinute: at(5), timeToMinute: at(8) }));
    builder.add(rate('44', 5, { tag: 14, timeFromMinute: at(8), timeToMinute: at(12) }));
    builder.add(rate('44', 6, { tag: 15, timeFromMinute: at(8), timeToMinute: at(12) }));
    builder.add(rate('440', 7, { tag: 16 }));
    const { conflicts } = builder.build();
    const summary = conflicts.map((c) => [c.tag, c.otherTag, c.kind]).sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(summary).to.deep.equal([
      [11, 10, 'duplicate'],
      [13, 12, 'overlapping_band'],
      [15, 14, 'duplicate'],
    ]);
  });

  it('given bad input, then the builder refuses it', function () {
    const builder = new RateTableBuilder();
    for (const bad of [rate('', 1), rate('4a', 1), rate('1234567890123456', 1), rate('1', -1), rate('1', 1, { firstIncrementSeconds: 0 })]) {
      expect(() => builder.add(bad), JSON.stringify({ ...bad, ratePerMinuteMicros: String(bad.ratePerMinuteMicros), connectFeeMinor: '0' })).to.throw(RangeError);
    }
  });

  it('given 20,000 random prefixes, then every lookup agrees with a naive longest-prefix scan', function () {
    // mulberry32: deterministic, so a failure can be replayed.
    let state = 7;
    const next = (n: number): number => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    };
    const prefixes = new Map<string, number>();
    while (prefixes.size < 20_000) {
      const length = 1 + next(9);
      let prefix = String(1 + next(9));
      while (prefix.length < length) prefix += String(next(10));
      if (!prefixes.has(prefix)) prefixes.set(prefix, prefixes.size);
    }
    const big = RateTable.of([...prefixes].map(([prefix, tag]) => rate(prefix, tag, { tag })));
    expect(big.size).to.equal(20_000);
    for (let i = 0; i < 2000; i += 1) {
      let number = String(1 + next(9));
      while (number.length < 12) number += String(next(10));
      let expected: number | undefined;
      for (let length = number.length; length >= 1 && expected === undefined; length -= 1) expected = prefixes.get(number.slice(0, length));
      expect(big.lookup(number)?.tag, number).to.equal(expected);
    }
    expect([...big.entries()]).to.have.length(20_000);
  });
});
