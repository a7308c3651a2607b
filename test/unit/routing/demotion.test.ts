import { expect } from 'chai';
import { carrier, harness, MINUTE, order, rate, T0, traffic } from './support';

const LONDON = '+442071838750';

// A day of history: a at ASR 0.6, b at 0.5, the same price: a is preferred.
function twoCarriers(exploration = 0) {
  const h = harness({ carriers: [carrier('a'), carrier('b')], decks: { a: [rate('44', 0.01)], b: [rate('44', 0.01)] }, exploration: { rate: exploration, minAttempts: 10 } });
  h.book.setBatch({
    watermark: T0,
    rows: ['44', '4420'].flatMap((prefix) => [
      { carrierId: 'a', prefix, counters: traffic(10_000, 6000) },
      { carrierId: 'b', prefix, counters: traffic(10_000, 5000) },
    ]),
  });
  return h;
}

// Live traffic as the speed layer records it, a minute row per carrier: every call tries `first`;
// when it fails, the call fails over to the other.
function liveMinute(h: ReturnType<typeof twoCarriers>, minute: number, calls: number, first: string, firstAnswers: boolean): void {
  const other = first === 'a' ? 'b' : 'a';
  for (const prefix of ['44', '4420']) {
    const put = (carrierId: string, attempts: number, answered: number): void => h.book.putMinute({ carrierId, prefix, minute, counters: traffic(attempts, answered) });
    if (firstAnswers) put(first, calls, Math.round(calls * 0.6));
    else {
      put(first, calls, 0);
      put(other, calls, Math.round(calls * 0.5));
    }
  }
}

describe('routing: demotion and recovery', function () {
  it('given a carrier whose ASR collapses, then the speed layer demotes it within minutes at 2 calls a minute, long before its history would', function () {
    const h = twoCarriers();
    expect(order(h, LONDON, new Date(T0))).to.deep.equal(['a', 'b']);
    let demotedAfter: number | undefined;
    for (let minute = 0; minute < 30 && demotedAfter === undefined; minute += 1) {
      const at = T0 + minute * MINUTE;
      const first = order(h, LONDON, new Date(at))[0] ?? '';
      if (first === 'b') demotedAfter = minute;
      else liveMinute(h, at, 2, 'a', false);
    }
    console.log(`      (demoted after ${demotedAfter} min)`);
    expect(demotedAfter, 'minutes until b is first').to.be.a('number').and.at.most(3);
    const a = h.engine.rank({ destination: LONDON, retail: undefined, at: new Date(T0 + 3 * MINUTE) });
    expect(a.excluded.map((e) => e.reason)).to.deep.equal(['retail_unknown', 'retail_unknown']);
    const explained = h.engine.rank({ destination: LONDON, retail: { currency: 'USD', ratePerMinuteMicros: 1_000_000n, connectFeeMinor: 0n, firstIncrementSeconds: 60, nextIncrementSeconds: 60 }, at: new Date(T0 + 3 * MINUTE), explain: true });
    expect(explained.routes[1]?.reasons.some((reason) => reason.startsWith('demoted: recent ASR 0.00'))).to.equal(true);
  });

  it('given the demoted carrier gets no more calls, then its recent failures fade and it is tried again; exploration probes it sooner, within its budget', function () {
    const h = twoCarriers();
    for (let minute = 0; minute < 5; minute += 1) liveMinute(h, T0 + minute * MINUTE, 2, 'a', false);
    let back: number | undefined;
    for (let minute = 5; minute < 600 && back === undefined; minute += 1) {
      const at = T0 + minute * MINUTE;
      if (order(h, LONDON, new Date(at))[0] === 'a') back = minute;
      else liveMinute(h, at, 2, 'b', true);
    }
    console.log(`      (first again after ${back} min)`);
    expect(back, 'minutes until a is first again without exploration').to.be.a('number').and.within(10, 120);

    const explored = twoCarriers(1);
    for (let minute = 0; minute < 5; minute += 1) liveMinute(explored, T0 + minute * MINUTE, 2, 'a', false);
    // 5 minutes later: a has under 10 recent attempts left (decayed), so it is probed.
    const probe = explored.engine.rank({ destination: LONDON, retail: undefined, at: new Date(T0 + 10 * MINUTE) });
    expect(probe.routes).to.deep.equal([]);
    const retail = { currency: 'USD', ratePerMinuteMicros: 1_000_000n, connectFeeMinor: 0n, firstIncrementSeconds: 60, nextIncrementSeconds: 60 };
    const ranked = explored.engine.rank({ destination: LONDON, retail, at: new Date(T0 + 10 * MINUTE), explain: true });
    expect(ranked.routes.map((r) => [r.carrierId, r.explored])).to.deep.equal([
      ['a', true],
      ['b', false],
    ]);
    expect(ranked.routes[0]?.reasons[0]).to.match(/^exploration: \d\.\d recent attempts at 4420 \(fewer than 10\)/);
  });

  it('given figures memoised for a decision, when a minute row of the carrier arrives, then the very next decision uses it, even within the same second', function () {
    const h = twoCarriers();
    const at = new Date(T0 + MINUTE);
    expect(order(h, LONDON, at)).to.deep.equal(['a', 'b']);
    // A burst of failures of a at the country level only (another area of the UK).
    h.book.putMinute({ carrierId: 'a', prefix: '44', minute: T0, counters: traffic(500, 0) });
    expect(order(h, LONDON, at)).to.deep.equal(['b', 'a']);
  });
});
