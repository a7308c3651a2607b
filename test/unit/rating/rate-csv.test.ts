import { expect } from 'chai';
import { type RateDeck, readRateDeck, splitCsvLine } from '../../../app/rating';

const HEADER = 'prefix,rate_per_minute,connect_fee,first_increment,next_increment,time_from,time_to';

async function* pieces(text: string, size: number): AsyncGenerator<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let offset = 0; offset < bytes.length; offset += size) {
    await Promise.resolve(); // a stream's chunks arrive on later ticks
    yield bytes.subarray(offset, offset + size);
  }
}

const rows = (deck: RateDeck): unknown[] => {
  if (!deck.ok) throw new Error(JSON.stringify(deck.errors));
  return [...deck.table.entries()].map((r) => ({ ...r, ratePerMinuteMicros: String(r.ratePerMinuteMicros), connectFeeMinor: String(r.connectFeeMinor) }));
};
const errorsOf = (deck: RateDeck): Array<[number, string | undefined]> => (deck.ok ? [] : deck.errors.map((e) => [e.line, e.field]));

describe('rating: rate deck CSV', function () {
  it('given a valid deck, then every row becomes a rate in exact units with the plan defaults left unset', async function () {
    const deck = await readRateDeck(`${HEADER}\n44,0.05,0.01,60,60,,\n4420,0.012345,,1,1,19:00,07:00\n1,2,,,,,\n`, { minorUnitDigits: 2 });
    expect(rows(deck)).to.deep.equal([
      { prefix: '1', ratePerMinuteMicros: '2000000', connectFeeMinor: '0', tag: 4 },
      { prefix: '44', ratePerMinuteMicros: '50000', connectFeeMinor: '1', firstIncrementSeconds: 60, nextIncrementSeconds: 60, tag: 2 },
      { prefix: '4420', ratePerMinuteMicros: '12345', connectFeeMinor: '0', firstIncrementSeconds: 1, nextIncrementSeconds: 1, timeFromMinute: 1140, timeToMinute: 420, tag: 3 },
    ]);
  });

  it('given the same text cut into chunks of any size (UTF-8 split mid-character too), then the result is the same', async function () {
    const text = `\uFEFF${HEADER},description\r\n44,0.05,0.01,60,60,,,"Royaume-Uni, fixe"\r\n\r\n4420,0.02,,,,,,Londres – été\r\n33,0.1,,,,,,"dit ""Paris"""`;
    const whole = await readRateDeck(text, { minorUnitDigits: 2 });
    const expected = rows(whole);
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const descriptions: string[] = [];
      const deck = await readRateDeck(pieces(text, size), { minorUnitDigits: 2, onRow: (r) => void (r.description && descriptions.push(r.description)) });
      expect(rows(deck), `chunks of ${size}`).to.deep.equal(expected);
      expect(descriptions).to.deep.equal(['Royaume-Uni, fixe', 'Londres – été', 'dit "Paris"']);
    }
  });

  it('given bad rows, then each is reported with its line and field, and nothing is returned but errors', async function () {
    const csv = [
      HEADER,
      '44,0.05,,,,,', // 2 ok
      '+45,0.05,,,,,', // 3 ok: "+" allowed
      '4x,0.05,,,,,', // 4 prefix
      '1234567890123456,0.05,,,,,', // 5 prefix too long
      '46,,,,,,', // 6 rate required
      '47,0.0000001,,,,,', // 7 rate: 7 decimals
      '48,0.05,0.001,,,,', // 8 fee: 3 decimals for USD
      '49,0.05,-1,,,,', // 9 fee negative
      '50,0.05,,0,,,', // 10 first increment
      '51,0.05,,,3601,,', // 11 next increment
      '52,0.05,,,,10:00,', // 12 band half given
      '53,0.05,,,,25:00,01:00', // 13 bad time
      '54,0.05,,,,10:00,10:00', // 14 empty band
      '55,0.05,,,', // 15 field count
      '56,"0.05,,,,,', // 16 open quote
      '57,2000000,,,,,', // 17 above the ceiling
    ].join('\n');
    const deck = await readRateDeck(csv, { minorUnitDigits: 2 });
    expect(deck.ok).to.equal(false);
    expect(errorsOf(deck)).to.deep.equal([
      [4, 'prefix'],
      [5, 'prefix'],
      [6, 'rate_per_minute'],
      [7, 'rate_per_minute'],
      [8, 'connect_fee'],
      [9, 'connect_fee'],
      [10, 'first_increment'],
      [11, 'next_increment'],
      [12, 'time_to'],
      [13, 'time_from'],
      [14, 'time_to'],
      [15, undefined],
      [16, undefined],
      [17, 'rate_per_minute'],
    ]);
  });

  it('given rows that clash, then they are reported along with malformed ones, by line', async function () {
    const deck = await readRateDeck(`${HEADER}\n44,0.1,,,,,\nxx,1,,,,,\n44,0.2,,,,,\n44,0.1,,,,08:00,12:00\n44,0.1,,,,11:00,13:00\n`, { minorUnitDigits: 2 });
    expect(deck.ok ? [] : deck.errors.map((e) => [e.line, e.message])).to.deep.equal([
      [3, 'must be 1-15 digits'],
      [4, 'prefix 44 has the same prefix and time band as line 2'],
      [6, 'prefix 44 (11:00-13:00) has a time band overlapping the one of line 5'],
    ]);
  });

  it('given a bad or missing header, then the file is refused at line 1', async function () {
    for (const text of ['', '\n\n', 'prefix,price\n1,2\n', 'rate_per_minute\n0.1\n', 'prefix,rate_per_minute,prefix\n', 'prefix,rate_per_minute,time_from\n']) {
      const deck = await readRateDeck(text, { minorUnitDigits: 2 });
      expect(deck.ok, JSON.stringify(text)).to.equal(false);
      expect(deck.ok ? 0 : deck.errors[0]?.line, JSON.stringify(text)).to.be.at.most(1);
    }
    const minimal = await readRateDeck('PREFIX,Rate_Per_Minute\n1,0.01\n', { minorUnitDigits: 2 });
    expect(minimal.ok).to.equal(true);
  });

  it('given more bad rows than are kept, then all are counted and the report is cut', async function () {
    const body = Array.from({ length: 50 }, () => 'x,1,,,,,').join('\n');
    const deck = await readRateDeck(`${HEADER}\n${body}`, { minorUnitDigits: 2, maxErrors: 10 });
    expect(deck.ok ? undefined : [deck.errors.length, deck.errorCount]).to.deep.equal([10, 50]);
  });

  it('given a file past the byte limit, then it is refused as too large', async function () {
    const deck = await readRateDeck(pieces(`${HEADER}\n${'44,0.1,,,,,\n'.repeat(1000)}`, 100), { minorUnitDigits: 2, maxBytes: 2000 });
    expect(deck).to.deep.include({ ok: false, reason: 'too_large' });
  });

  it('splits CSV lines with quotes', function () {
    expect(splitCsvLine('a, b ,"c, d","e ""f"""')).to.deep.equal(['a', 'b', 'c, d', 'e "f"']);
    expect(splitCsvLine(',,')).to.deep.equal(['', '', '']);
    expect(splitCsvLine('"open')).to.equal(undefined);
  });
});
