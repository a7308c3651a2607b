import { expect } from 'chai';
import { seededRandom } from '../../../app/routing';
import { carrier, harness, MINUTE, rate, retail, T0, traffic } from './support';

const LONDON = '+442071838750';

// Two measured carriers and a new one ("fresh", the cheapest, so exploration is what matters:
// without figures it would not be first anyway, as its quality priors are below a and b's).
function market(exploration: { rate: number; maxCalls?: number }, seed = 7) {
  const h = harness({
    carriers: [carrier('a'), carrier('b'), carrier('fresh')],
    decks: { a: [rate('44', 0.01)], b: [rate('44', 0.011)], fresh: [rate('44', 0.012)] },
    exploration: { minAttempts: 10, ...exploration },
    random: seededRandom(seed),
  });
  for (const prefix of ['44', '4420']) {
    for (const id of ['a', 'b']) {
      h.book.putMinute({ carrierId: id, prefix, minute: T0 - 2 * 86_400_000, counters: traffic(50_000, 30_000) });
      // Steady recent traffic: measured.
      h.book.putMinute({ carrierId: id, prefix, minute: T0 - MINUTE, counters: traffic(40, 24) });
    }
  }
  return h;
}

// Decisions at one call per `everyMs`: which carrier came first and whether it was explored.
function decide(h: ReturnType<typeof market>, calls: number, everyMs: number): Array<{ first: string; explored: boolean; at: number }> {
  return Array.from({ length: calls }, (_, i) => {
    const at = T0 + i * everyMs;
    const [first] = h.engine.rank({ destination: LONDON, retail: retail(1), at: new Date(at) }).routes;
    return { first: first?.carrierId ?? '', explored: first?.explored ?? false, at };
  });
}

describe('routing: bounded exploration', function () {
  it('given the same seed and inputs, then the same calls are explored; another seed explores others', function () {
    const once = decide(market({ rate: 0.2, maxCalls: 1000 }, 42), 300, 1000).map((d) => d.explored);
    const again = decide(market({ rate: 0.2, maxCalls: 1000 }, 42), 300, 1000).map((d) => d.explored);
    const other = decide(market({ rate: 0.2, maxCalls: 1000 }, 43), 300, 1000).map((d) => d.explored);
    expect(once).to.deep.equal(again);
    expect(other).to.not.deep.equal(once);
  });

  it('given a new carrier, then about the exploration rate of calls try it first, and only it: measured carriers are never explored', function () {
    // 4000 calls in 400 s: a and b stay measured (their recent window barely decays).
    const decisions = decide(market({ rate: 0.05, maxCalls: 10_000 }), 4000, 100);
    const explored = decisions.filter((d) => d.explored);
    expect(explored.every((d) => d.first === 'fresh')).to.equal(true);
    expect(explored.length / decisions.length).to.be.within(0.035, 0.065);
    expect(decisions.filter((d) => !d.explored).every((d) => d.first === 'a')).to.equal(true);
  });

  it('given a burst of calls, then a carrier gets at most maxCalls exploration picks per window (one half-life), and more in the next window', function () {
    const decisions = decide(market({ rate: 0.5, maxCalls: 20 }), 2000, 600); // 100 calls a minute for 20 minutes
    const inWindow = (from: number) => decisions.filter((d) => d.explored && d.first === 'fresh' && d.at >= from && d.at < from + 10 * MINUTE).length;
    expect(inWindow(T0)).to.equal(20);
    expect(inWindow(T0 + 10 * MINUTE)).to.be.within(1, 20);
    for (let start = T0; start < T0 + 10 * MINUTE; start += MINUTE) expect(inWindow(start)).to.be.at.most(20);
  });

  it('given rankings looked at with explore: false (GET /v1/routes), then none is explored and the calls still get the whole exploration budget', function () {
    const h = market({ rate: 1, maxCalls: 5 });
    for (let i = 0; i < 100; i += 1) {
      const ranking = h.engine.rank({ destination: LONDON, retail: retail(1), at: new Date(T0 + i), explain: true, explore: false });
      expect(ranking.routes.map((route) => [route.carrierId, route.explored])).to.deep.equal([['a', false], ['b', false], ['fresh', false]]);
    }
    const calls = decide(h, 10, 1000);
    expect(calls.filter((d) => d.explored).map((d) => d.first)).to.deep.equal(['fresh', 'fresh', 'fresh', 'fresh', 'fresh']);
  });

  it('given a rate of 0, or a new carrier that costs more than the retail price, then nothing is explored', function () {
    expect(decide(market({ rate: 0 }), 500, 1000).some((d) => d.explored)).to.equal(false);
    const h = market({ rate: 1 });
    const ranking = h.engine.rank({ destination: LONDON, retail: retail(0.0115), at: new Date(T0) });
    expect(ranking.routes.map((r) => [r.carrierId, r.explored])).to.deep.equal([
      ['a', false],
      ['b', false],
    ]);
    expect(ranking.excluded).to.deep.equal([{ carrierId: 'fresh', carrierName: 'carrier fresh', reason: 'above_retail' }]);
  });

  it('given an explored carrier whose calls come back, then it is measured and exploration stops', function () {
    const h = market({ rate: 1, maxCalls: 1000 });
    expect(decide(h, 1, 1000)[0]?.explored).to.equal(true);
    for (const prefix of ['44', '4420']) h.book.putMinute({ carrierId: 'fresh', prefix, minute: T0, counters: traffic(12, 7) });
    const [first] = h.engine.rank({ destination: LONDON, retail: retail(1), at: new Date(T0 + 30_000) }).routes;
    expect(first?.explored).to.equal(false);
  });
});
