import { expect } from 'chai';
import { bandContains, formatClock, isValidTimeZone, minuteOfDay, parseClock } from '../../../app/rating';

describe('rating: time of day', function () {
  it("given an instant, then its minute of the day is read on the zone's wall clock, daylight saving included", function () {
    expect(minuteOfDay(new Date('2026-11-25T03:30:00Z'), 'UTC')).to.equal(210);
    expect(minuteOfDay(new Date('2026-11-25T03:30:00Z'), 'America/New_York')).to.equal(22 * 60 + 30);
    expect(minuteOfDay(new Date('2026-07-01T03:30:00Z'), 'America/New_York')).to.equal(23 * 60 + 30);
    expect(minuteOfDay(new Date('2026-11-25T00:00:00Z'), 'Asia/Kolkata')).to.equal(5 * 60 + 30);
    expect(minuteOfDay(new Date('2026-11-25T23:59:59Z'), 'Europe/London')).to.equal(1439);
  });

  it('given clock text, then HH:MM from 00:00 to 24:00 is read and anything else refused', function () {
    expect(['00:00', '7:05', '23:59', '24:00'].map(parseClock)).to.deep.equal([0, 425, 1439, 1440]);
    expect(['24:01', '12:60', '1200', '12:5', '', 'ab:cd'].map(parseClock)).to.deep.equal(Array(6).fill(undefined));
    expect(formatClock(425)).to.equal('07:05');
  });

  it('given a band, then it contains [from, to), wrapping past midnight when from > to', function () {
    expect([bandContains(540, 1020, 540), bandContains(540, 1020, 1020)]).to.deep.equal([true, false]);
    expect([bandContains(1320, 360, 1439), bandContains(1320, 360, 0), bandContains(1320, 360, 360), bandContains(1320, 360, 720)]).to.deep.equal([true, true, false, false]);
  });

  it('given time zone names, then IANA names are accepted and others refused', function () {
    expect(['UTC', 'Europe/London', 'America/Argentina/Buenos_Aires'].map(isValidTimeZone)).to.deep.equal([true, true, true]);
    expect(['Mars/Olympus', '', 'Europe/Londres'].map(isValidTimeZone)).to.deep.equal([false, false, false]);
  });
});
