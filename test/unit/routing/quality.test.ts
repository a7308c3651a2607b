import { expect } from 'chai';
import { contributionsOf, type CallOutcome, emptyCounters, QualityBook, type QualityCounters } from '../../../app/routing';
import { DecayingCounters } from '../../../app/routing/quality/decaying-counters';
import { counters, MINUTE, T0 } from './support';

const call = (extra: Partial<CallOutcome>): CallOutcome => ({ endedAt: new Date(T0), destination: '+442071838750', talkMs: 0, answered: false, attempts: [], ...extra });
const media = { rxPackets: 3000, txPackets: 3000, rxPacketsLost: 30, txPacketsLost: 0, rxJitterMs: 4.25, txJitterMs: 1, mes: 87.5 };

describe('routing: quality figures', function () {
  describe('what a call teaches', function () {
    it('given a call that failed over from one carrier to another, then each gets its attempt, and the one that answered the talk time and media', function () {
      const outcome = call({
        carrierId: 'b',
        answered: true,
        talkMs: 65_000,
        attempts: [
          { carrierId: 'a', outcome: 'unreachable', sipCode: 503, pddMs: 900 },
          { carrierId: 'b', outcome: 'answered', pddMs: 2100 },
        ],
        carrierLeg: media,
      });
      const byKey = Object.fromEntries(contributionsOf(outcome).map((c) => [`${c.carrierId}|${c.prefix}`, c.counters]));
      expect(Object.keys(byKey)).to.deep.equal(['a|44', 'a|4420', 'b|44', 'b|4420']);
      expect(byKey['a|4420']).to.deep.equal(counters({ attempts: 1, pddCount: 1, pddMs: 900 }));
      expect(byKey['b|4420']).to.deep.equal(
        counters({ attempts: 1, answered: 1, talkMs: 65_000, pddCount: 1, pddMs: 2100, mediaCount: 1, mesCount: 1, mesMilli: 87_500, jitterMicros: 4250, rxPackets: 3000, lostPackets: 30 }),
      );
      expect(byKey['b|44']).to.deep.equal(byKey['b|4420']);
    });

    it('given a caller who hung up before any answer, then that attempt says nothing about the carrier; busy and no answer count as attempts', function () {
      expect(contributionsOf(call({ attempts: [{ carrierId: 'a', outcome: 'cancelled', pddMs: 1500 }] }))).to.deep.equal([]);
      const busy = contributionsOf(call({ attempts: [{ carrierId: 'a', outcome: 'busy', sipCode: 486 }] }));
      expect(busy.map((c) => c.counters.attempts)).to.deep.equal([1, 1]);
    });

    it('given a carrier skipped at its call limit (never invited), then it gets no attempt: a full carrier is not a bad one; the carrier tried next does', function () {
      const outcome = call({
        carrierId: 'b',
        answered: true,
        talkMs: 30_000,
        attempts: [
          { carrierId: 'a', outcome: 'skipped_at_limit' },
          { carrierId: 'b', outcome: 'answered', pddMs: 800 },
        ],
      });
      const contributions = contributionsOf(outcome);
      expect(contributions.map((c) => `${c.carrierId}|${c.prefix}`)).to.deep.equal(['b|44', 'b|4420']);
      expect(contributions[0]?.counters).to.include({ attempts: 1, answered: 1 });
      // Only skipped: the call teaches routing nothing at all.
      expect(contributionsOf(call({ attempts: [{ carrierId: 'a', outcome: 'skipped_at_limit' }] }))).to.deep.equal([]);
    });

    it('given a record from before attempts were kept, then its carrier is the one attempt; a number with no country code teaches nothing', function () {
      const [country] = contributionsOf(call({ carrierId: 'a', answered: true, talkMs: 1000 }));
      expect(country?.counters).to.include({ attempts: 1, answered: 1, talkMs: 1000 });
      expect(contributionsOf(call({ destination: '+999123', carrierId: 'a' }))).to.deep.equal([]);
    });
  });

  describe('merging the layers', function () {
    const rows = (n: number, answered: number): QualityCounters => counters({ attempts: n, answered });

    it('given batch figures up to a watermark and speed minutes around it, then history is the batch plus the minutes from the watermark on', function () {
      const book = new QualityBook(10 * MINUTE);
      const watermark = T0;
      book.putMinute({ carrierId: 'a', prefix: '44', minute: watermark - MINUTE, counters: rows(5, 1) });
      book.putMinute({ carrierId: 'a', prefix: '44', minute: watermark, counters: rows(3, 2) });
      book.setBatch({ watermark, rows: [{ carrierId: 'a', prefix: '44', counters: rows(100, 40) }] });
      expect(book.history('a', '44')).to.include({ attempts: 103, answered: 42 });
      // A minute row read again (another instance wrote more into it) replaces the old sums.
      book.putMinute({ carrierId: 'a', prefix: '44', minute: watermark, counters: rows(4, 2) });
      book.putMinute({ carrierId: 'a', prefix: '44', minute: watermark, counters: rows(4, 2) });
      expect(book.history('a', '44')).to.include({ attempts: 104, answered: 42 });
      // The next batch took the first speed minute in: it leaves the speed part.
      book.setBatch({ watermark: watermark + MINUTE, rows: [{ carrierId: 'a', prefix: '44', counters: rows(104, 42) }] });
      expect(book.history('a', '44')).to.include({ attempts: 104, answered: 42 });
      expect(book.history('b', '44')).to.deep.equal(emptyCounters());
    });

    it('given the recent window, then an attempt weighs half after one half-life and a replaced minute is not counted twice', function () {
      const window = new DecayingCounters(10 * MINUTE);
      window.add(rows(8, 4), T0);
      expect(window.valueAt(T0).attempts).to.equal(8);
      expect(window.valueAt(T0 + 10 * MINUTE).attempts).to.be.closeTo(4, 1e-9);
      window.add(rows(2, 0), T0 - 10 * MINUTE);
      expect(window.valueAt(T0).attempts).to.be.closeTo(9, 1e-9);
      window.add(rows(8, 4), T0, -1);
      expect(window.valueAt(T0).attempts).to.be.closeTo(1, 1e-9);
      const book = new QualityBook(10 * MINUTE);
      book.putMinute({ carrierId: 'a', prefix: '44', minute: T0, counters: rows(2, 1) });
      book.putMinute({ carrierId: 'a', prefix: '44', minute: T0, counters: rows(6, 3) });
      expect(book.recentAt('a', '44', T0 + 30_000).attempts).to.be.closeTo(6, 1e-9);
    });
  });
});
