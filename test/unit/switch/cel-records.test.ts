import { expect } from 'chai';
import { absoluteTimeoutOf } from '../../../app/switch/ari-switch-control';
import { channelTimesOf, parseCelLine } from '../../../app/switch/cel-records';

describe("the switch's records: CEL lines and TIMEOUT(absolute)", function () {
  it('given a HANGUP line as cel_custom writes it (all fields quoted), then it gives the event, the exact time and the channel', function () {
    expect(parseCelLine('"HANGUP","1796670844.254765","264a98f4-ee40-4a52-876e-a9f77aed3b21","1796670834.0"')).to.deep.equal({
      event: 'HANGUP',
      at: new Date(1796670844255),
      channelId: '264a98f4-ee40-4a52-876e-a9f77aed3b21',
      linkedId: '1796670834.0',
    });
  });

  it('given an ANSWER line with unquoted fields and a line ending, then it is read the same way', function () {
    expect(parseCelLine('ANSWER,1796670834.499190,1796670834.0,1796670834.0\r\n')).to.deep.equal({ event: 'ANSWER', at: new Date(1796670834499), channelId: '1796670834.0', linkedId: '1796670834.0' });
  });

  it('given a quoted field holding a comma or a doubled quote, then the field is kept whole', function () {
    expect(parseCelLine('"HANGUP","1.5","a,""b""","l"')?.channelId).to.equal('a,"b"');
  });

  it('given lines that are no such record (other events, a line cut short by a write in progress, a wrong field count, no time, blank), then they are skipped', function () {
    for (const line of ['"CHAN_START","1796670834.0","x","x"', '"HANGUP","1796670844.25', '"HANGUP","1796670844.25","x"', '"HANGUP","soon","x","x"', '"HANGUP","1.0","","x"', '', '   ']) {
      expect(parseCelLine(line), line).to.equal(undefined);
    }
  });

  it("given records of several channels, then each wanted channel gets its answer and its first hang-up, others are left out", function () {
    const records = [
      { event: 'ANSWER' as const, at: new Date(1_000), channelId: 'a', linkedId: 'a' },
      { event: 'HANGUP' as const, at: new Date(9_000), channelId: 'a', linkedId: 'a' },
      { event: 'HANGUP' as const, at: new Date(8_000), channelId: 'a', linkedId: 'a' },
      { event: 'HANGUP' as const, at: new Date(7_000), channelId: 'other', linkedId: 'a' },
    ];
    expect([...channelTimesOf(records, new Set(['a', 'b']))]).to.deep.equal([['a', { answeredAt: new Date(1_000), hungUpAt: new Date(8_000) }]]);
  });

  it('given a deadline 10.25 s away, then TIMEOUT(absolute) is 10.250; none removes it (0); one already past hangs up at once, never 0', function () {
    const now = new Date(1_000_000);
    expect(absoluteTimeoutOf(new Date(1_010_250), now)).to.equal('10.250');
    expect(absoluteTimeoutOf(null, now)).to.equal('0');
    expect(absoluteTimeoutOf(new Date(900_000), now)).to.equal('0.001');
  });
});
