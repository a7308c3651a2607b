import { expect } from 'chai';
import { formatDecimal, minorUnitDigits, parseDecimal } from '../../../app/rating';

describe('rating: decimal amounts and currencies', function () {
  it('given decimal text, then it becomes exact integer units at the scale', function () {
    expect(parseDecimal('10.50', 2)).to.deep.equal({ ok: true, value: 1050n });
    expect(parseDecimal('10', 2)).to.deep.equal({ ok: true, value: 1000n });
    expect(parseDecimal('0.1', 2)).to.deep.equal({ ok: true, value: 10n });
    expect(parseDecimal('007', 0)).to.deep.equal({ ok: true, value: 7n });
    expect(parseDecimal('0.012345', 6)).to.deep.equal({ ok: true, value: 12_345n });
    expect(parseDecimal('123456789012345678.99', 2)).to.deep.equal({ ok: true, value: 12345678901234567899n });
  });

  it('given text that is not a plain non-negative decimal within the scale and maximum, then the reason is named', function () {
    const reason = (text: string, scale = 2, max?: bigint): string | undefined => {
      const result = parseDecimal(text, scale, max);
      return result.ok ? undefined : result.reason;
    };
    expect(['', 'abc', '1e3', '+1', '1.', '.5', ' 1', '1 ', '1,5', '0x10', 'NaN', 'Infinity', '1.2.3', '٣'].map((t) => reason(t))).to.deep.equal(Array(14).fill('not_a_number'));
    expect(reason('-1')).to.equal('negative');
    expect(reason('-0.5')).to.equal('negative');
    expect(reason('1.001')).to.equal('too_many_decimals');
    expect(reason('1.000')).to.equal('too_many_decimals');
    expect(reason('1.5', 0)).to.equal('too_many_decimals');
    expect(reason('100.01', 2, 10000n)).to.equal('too_large');
    expect(reason('100.00', 2, 10000n)).to.equal(undefined);
    expect(reason('9'.repeat(41))).to.equal('too_large');
  });

  it('given integer units, then they format back to decimal text, trimming zeros only past the minimum', function () {
    expect(formatDecimal(1050n, 2)).to.equal('10.50');
    expect(formatDecimal(5n, 2)).to.equal('0.05');
    expect(formatDecimal(-150n, 2)).to.equal('-1.50');
    expect(formatDecimal(7n, 0)).to.equal('7');
    expect(formatDecimal(12_000n, 6, 2)).to.equal('0.012');
    expect(formatDecimal(1_000_000n, 6, 2)).to.equal('1.00');
    expect(formatDecimal(1_000_000n, 6, 0)).to.equal('1');
  });

  it('given ISO currencies, then the minor-unit decimals come from Intl; unknown codes are refused', function () {
    expect(['USD', 'EUR', 'JPY', 'KWD', 'BHD', 'CLP', 'GBP'].map(minorUnitDigits)).to.deep.equal([2, 2, 0, 3, 3, 0, 2]);
    for (const code of ['XYZ', 'usd', 'US', 'USDT', '', 'CLF']) expect(() => minorUnitDigits(code), code).to.throw().with.property('code', 'RATING.UNKNOWN_CURRENCY');
  });
});
