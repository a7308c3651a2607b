import { expect } from 'chai';
import { callerNumberOf, MAX_NUMBER_LENGTH } from '../../../app/call-state/caller-number';

const LONDON_DID = '+442071838799';

describe('caller number of a call from the phone network', function () {
  it('given an international number with or without +, with the 00 prefix or with separators, then E.164', function () {
    for (const sent of ['+442071838750', '442071838750', '00442071838750', '+44 (20) 7183-8750']) {
      expect(callerNumberOf(sent, LONDON_DID), sent).to.equal('+442071838750');
    }
  });

  it('given a national number, then it is read in the country of the number dialled', function () {
    expect(callerNumberOf('02071838750', LONDON_DID)).to.equal('+442071838750');
    expect(callerNumberOf('(650) 555-0142', '+14155550102')).to.equal('+16505550142');
  });

  it('given something that is no number, then it is kept as sent, in safe characters and no longer than a number', function () {
    expect(callerNumberOf('anonymous', LONDON_DID)).to.equal('anonymous');
    expect(callerNumberOf('', LONDON_DID)).to.equal('');
    const long = callerNumberOf('99912345678901234567890123', LONDON_DID);
    expect(long).to.equal('9991234567890123');
    expect(long).to.have.length(MAX_NUMBER_LENGTH);
    expect(callerNumberOf('"Bob" <sip:evil>;x=1', undefined)).to.equal('Bobsipevilx1');
  });
});
