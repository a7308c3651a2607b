import { expect } from 'chai';
import { countryOf, toE164 } from '../../../app/shared/kernel';

describe('phone numbers', function () {
  it('given the same number asked twice, then the remembered answer is the one parsed the first time', function () {
    expect(toE164('030 1234567', 'DE')).to.equal('+49301234567');
    expect(toE164('030 1234567', 'DE')).to.equal('+49301234567');
    expect(countryOf('+49301234567')).to.equal('DE');
    expect(countryOf('+49301234567')).to.equal('DE');
  });

  it('given one national number read in two countries, then each country gets its own answer', function () {
    expect(toE164('0201234567', 'GB')).to.not.equal(toE164('0201234567', 'DE'));
  });

  it('given an invalid number asked twice, then it stays invalid', function () {
    expect(toE164('12', 'DE')).to.equal(undefined);
    expect(toE164('12', 'DE')).to.equal(undefined);
    expect(countryOf('+999')).to.equal(undefined);
    expect(countryOf('+999')).to.equal(undefined);
  });
});
