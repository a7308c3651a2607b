import { expect } from 'chai';
import { EmergencyNumbers } from '../../../app/call-policy';
import { DEFAULT_EMERGENCY_NUMBERS, parseEmergencyNumbers } from '../../../app/config';

const EU = ['AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE'];

describe('emergency numbers: the seeded table', function () {
  const { table, issues } = parseEmergencyNumbers(DEFAULT_EMERGENCY_NUMBERS);
  const numbers = new EmergencyNumbers(table);

  it('given the seeded defaults, then they parse without an issue and hold US/CA 911, UK 999 and 112, AU 000, IN 112 and 112 in all 27 EU countries', function () {
    expect(issues).to.deep.equal([]);
    expect(table).to.deep.include({ US: ['911'], CA: ['911'], GB: ['999', '112'], AU: ['000', '112'], IN: ['112'] });
    for (const country of EU) expect(table[country], country).to.deep.equal(['112']);
    expect(Object.keys(table)).to.have.length(5 + EU.length);
  });

  // Every seeded country, every one of its numbers: an emergency call of that country, sent as
  // the country's first number.
  for (const [country, list] of Object.entries(parseEmergencyNumbers(DEFAULT_EMERGENCY_NUMBERS).table)) {
    it(`given a caller in ${country}, then ${list.join(', ')} and 112 and 911 are emergency calls of ${country}, sent as ${list[0] ?? ''}`, function () {
      for (const dialed of [...list, '112', '911']) {
        expect(numbers.match(dialed, country), `${country} ${dialed}`).to.deep.equal({ country, number: list[0], dialed });
      }
    });
  }

  it("given a number that is an emergency number only elsewhere, then it is not one in the caller's country: 999 and 000 from the US, 911's neighbour 9110", function () {
    expect(numbers.match('999', 'US')).to.equal(undefined);
    expect(numbers.match('000', 'DE')).to.equal(undefined);
    expect(numbers.match('9110', 'US')).to.equal(undefined);
    expect(numbers.match('+4930123456', 'DE')).to.equal(undefined);
    expect(numbers.match('bob', 'US')).to.equal(undefined);
  });

  it('given a caller of a country not in the table, then 112 and 911 are still emergency calls, of that country, sent as dialled', function () {
    expect(numbers.match('112', 'JP')).to.deep.equal({ country: 'JP', number: '112', dialed: '112' });
    expect(numbers.match('911', undefined)).to.deep.equal({ country: 'ZZ', number: '911', dialed: '911' });
    expect(numbers.match('110', 'JP')).to.equal(undefined);
  });

  it('given a table with errors, then each is reported: a bad country, numbers that are not short digits', function () {
    const { table: parsed, issues: found } = parseEmergencyNumbers('us:911;DE:;FR:17,112;GB:999a');
    expect(parsed).to.deep.equal({ FR: ['17', '112'] });
    expect(found).to.have.length(3);
  });
});
