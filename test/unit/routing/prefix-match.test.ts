import { expect } from 'chai';
import { RateTable } from '../../../app/rating';
import { CarrierDecks, countryCodeOf, normaliseDestination, qualityKeysOf } from '../../../app/routing';
import { carrier, harness, rate, retail, T0 } from './support';

describe('routing: destinations and prefix match', function () {
  it('given carrier decks, then each prices a number by its own longest matching prefix, with 60/60 when a row leaves increments empty', function () {
    const decks = new CarrierDecks();
    decks.install('a', { table: RateTable.of([rate('44', 0.05), rate('4420', 0.01, { firstIncrementSeconds: 1, nextIncrementSeconds: 1 }), rate('4420718', 0.002)]), version: 3 });
    decks.install('b', { table: RateTable.of([{ prefix: '44', ratePerMinuteMicros: 30_000n, connectFeeMinor: 2n }]), version: 1 });
    expect(decks.lookup('a', '+442071838750')).to.deep.equal({ prefix: '4420718', ratePerMinuteMicros: 2000n, connectFeeMinor: 0n, firstIncrementSeconds: 60, nextIncrementSeconds: 60 });
    expect(decks.lookup('a', '+442079460000')).to.include({ prefix: '4420', firstIncrementSeconds: 1 });
    expect(decks.lookup('b', '+442071838750')).to.deep.equal({ prefix: '44', ratePerMinuteMicros: 30_000n, connectFeeMinor: 2n, firstIncrementSeconds: 60, nextIncrementSeconds: 60 });
    expect(decks.lookup('a', '+33123456789')).to.equal(undefined);
    expect(decks.lookup('unknown', '+442071838750')).to.equal(undefined);
    expect(decks.versionOf('a')).to.equal(3);
    expect(decks.totalRates).to.equal(4);
  });

  it('given a carrier whose deck does not cover the number, then it is excluded as no_rate and the others are ranked', function () {
    const h = harness({ carriers: [carrier('a'), carrier('b')], decks: { a: [rate('33', 0.01)], b: [rate('44', 0.01)] } });
    const ranking = h.engine.rank({ destination: '+442071838750', retail: retail(0.1), at: new Date(T0) });
    expect(ranking.routes.map((r) => r.carrierId)).to.deep.equal(['b']);
    expect(ranking.excluded).to.deep.equal([{ carrierId: 'a', carrierName: 'carrier a', reason: 'no_rate' }]);
  });

  it('given numbers of several countries, then quality is kept per country code and per country code + 2 digits (NANP + 3)', function () {
    expect(qualityKeysOf('+442071838750')).to.deep.equal({ country: '44', area: '4420' });
    expect(qualityKeysOf('+447400123456')).to.deep.equal({ country: '44', area: '4474' });
    expect(qualityKeysOf('+14155550102')).to.deep.equal({ country: '1', area: '1415' });
    expect(qualityKeysOf('+2348031234567')).to.deep.equal({ country: '234', area: '23480' });
    expect(qualityKeysOf('+79161234567')).to.deep.equal({ country: '7', area: '791' });
    expect(qualityKeysOf('+8613912345678')).to.deep.equal({ country: '86', area: '8613' });
    expect(qualityKeysOf('+88212345678')).to.deep.equal({ country: '882', area: '88212' });
    expect(qualityKeysOf('+44')).to.deep.equal({ country: '44', area: '44' });
    expect(qualityKeysOf('+44abc')).to.equal(undefined);
    expect(countryCodeOf('+9999999')).to.equal(undefined);
  });

  it("given a national number, then it is read in the sender's country; an invalid one is refused", function () {
    expect(normaliseDestination('020 7183 8750', '+447400123456')).to.equal('+442071838750');
    expect(normaliseDestination('(415) 555-0102', '+12025550143')).to.equal('+14155550102');
    expect(normaliseDestination('+33 1 23 45 67 89', '+447400123456')).to.equal('+33123456789');
    expect(normaliseDestination('00 33 1 23 45 67 89', '+447400123456')).to.equal('+33123456789');
    expect(normaliseDestination('020 7183 8750', '+12025550143')).to.equal(undefined);
    expect(normaliseDestination('12', '+447400123456')).to.equal(undefined);
    expect(normaliseDestination('alice', '+447400123456')).to.equal(undefined);
    expect(normaliseDestination('', '+447400123456')).to.equal(undefined);
  });
});
