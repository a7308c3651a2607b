import { expect } from 'chai';
import { configSchema } from '../../../app/config/schema';
import { costMicros, exceedsRetail, STRATEGIES, STRATEGY_NAMES, strategyNamed } from '../../../app/routing';
import { carrier, harness, order, rate, retail, T0, traffic } from './support';

const AREA = '4420';
const COUNTRY = '44';
const LONDON = '+442071838750';

// A long history at the destination's area and country, as the batch layer would have stored it.
function history(h: ReturnType<typeof harness>, carrierId: string, attempts: number, answered: number, extra = {}): void {
  const minute = T0 - 24 * 60 * 60_000;
  h.book.putMinute({ carrierId, prefix: AREA, minute, counters: traffic(attempts, answered, extra) });
  h.book.putMinute({ carrierId, prefix: COUNTRY, minute, counters: traffic(attempts, answered, extra) });
}

describe('routing: scoring', function () {
  describe('strategies', function () {
    it('given the registry, then every strategy is one entry by name, and an unknown name is refused', function () {
      expect(STRATEGY_NAMES).to.deep.equal(['blended', 'least-cost', 'quality']);
      for (const [name, strategy] of STRATEGIES) expect(strategy.name).to.equal(name);
      expect(() => strategyNamed('cheapest')).to.throw().with.property('code', 'ROUTING.UNKNOWN_STRATEGY');
    });

    it('given the config schema, then ROUTING_STRATEGY accepts exactly the registered strategies', function () {
      expect(configSchema.shape.ROUTING_STRATEGY.unwrap().options).to.deep.equal(STRATEGY_NAMES);
    });

    it('given a cheap carrier with poor quality and a dear one with good quality, then least-cost and quality order them oppositely and blended follows the weights', function () {
      const decks = { cheap: [rate('44', 0.01)], dear: [rate('44', 0.02)] };
      const carriers = [carrier('cheap'), carrier('dear')];
      const setUp = (strategy: string, weights = { cost: 0.5, quality: 0.5 }) => {
        const h = harness({ carriers, decks, strategy, weights });
        history(h, 'cheap', 1000, 200);
        history(h, 'dear', 1000, 600);
        return h;
      };
      expect(order(setUp('least-cost'), LONDON)).to.deep.equal(['cheap', 'dear']);
      expect(order(setUp('quality'), LONDON)).to.deep.equal(['dear', 'cheap']);
      expect(order(setUp('blended', { cost: 1, quality: 0 }), LONDON)).to.deep.equal(['cheap', 'dear']);
      expect(order(setUp('blended', { cost: 0, quality: 1 }), LONDON)).to.deep.equal(['dear', 'cheap']);
      // Half the price against a third of the ASR: at equal weights the quality gap wins.
      expect(order(setUp('blended'), LONDON)).to.deep.equal(['dear', 'cheap']);
      expect(order(setUp('blended', { cost: 0.9, quality: 0.1 }), LONDON)).to.deep.equal(['cheap', 'dear']);
    });

    it('given equal quality, then the cheaper carrier ranks first; given equal cost, then the better ASR ranks first; scores stay within 0-1', function () {
      const sameQuality = harness({ carriers: [carrier('a'), carrier('b')], decks: { a: [rate('44', 0.02)], b: [rate('44', 0.015)] } });
      history(sameQuality, 'a', 500, 250);
      history(sameQuality, 'b', 500, 250);
      expect(order(sameQuality, LONDON)).to.deep.equal(['b', 'a']);
      const sameCost = harness({ carriers: [carrier('a'), carrier('b')], decks: { a: [rate('44', 0.02)], b: [rate('44', 0.02)] } });
      history(sameCost, 'a', 500, 300);
      history(sameCost, 'b', 500, 250);
      const ranking = sameCost.engine.rank({ destination: LONDON, retail: retail(1), at: new Date(T0) });
      expect(ranking.routes.map((r) => r.carrierId)).to.deep.equal(['a', 'b']);
      for (const route of ranking.routes) for (const score of [route.score, route.costScore, route.qualityScore]) expect(score).to.be.within(0, 1);
      expect(ranking.routes[0]?.qualityParts.asr).to.equal(1);
    });

    it('given media figures, then a carrier with a low MES loses to one with the same ASR and a high MES', function () {
      const h = harness({ carriers: [carrier('a'), carrier('b')], decks: { a: [rate('44', 0.02)], b: [rate('44', 0.02)] } });
      history(h, 'a', 500, 250, { mesMilli: 250 * 60_000 });
      history(h, 'b', 500, 250, { mesMilli: 250 * 90_000 });
      const [first, second] = h.engine.rank({ destination: LONDON, retail: retail(1), at: new Date(T0) }).routes;
      expect(first?.carrierId).to.equal('b');
      expect(first?.quality.mes).to.be.closeTo(90, 0.5);
      expect(second?.quality.mes).to.be.closeTo(60.2, 0.5);
    });
  });

  describe('cost against the retail price', function () {
    it('given a tariff, then a call costs its connect fee plus its billed increments, exactly in micro-units', function () {
      const tariff = { ratePerMinuteMicros: 12_300n, connectFeeMinor: 1n, firstIncrementSeconds: 60, nextIncrementSeconds: 60 };
      expect(costMicros(tariff, 61, 2)).to.equal(10_000n + 24_600n);
      expect(costMicros({ ...tariff, firstIncrementSeconds: 1, nextIncrementSeconds: 1 }, 61, 2)).to.equal(10_000n + 12_505n);
      expect(costMicros(tariff, 0, 2)).to.equal(0n);
    });

    it('given a carrier dearer per minute, or dearer for the reference call by its connect fee, then it exceeds the retail price', function () {
      const plan = { ratePerMinuteMicros: 50_000n, connectFeeMinor: 0n, firstIncrementSeconds: 60, nextIncrementSeconds: 60 };
      expect(exceedsRetail({ ...plan, ratePerMinuteMicros: 50_001n }, plan, 120, 2)).to.equal(true);
      expect(exceedsRetail({ ...plan, ratePerMinuteMicros: 40_000n, connectFeeMinor: 3n }, plan, 120, 2)).to.equal(true);
      expect(exceedsRetail({ ...plan, ratePerMinuteMicros: 40_000n, connectFeeMinor: 2n }, plan, 120, 2)).to.equal(false);
      expect(exceedsRetail(plan, plan, 120, 2)).to.equal(false);
    });

    it('given disabled, deleted and too dear carriers, then none is chosen: the dear one only when allowed above retail, and flagged', function () {
      const h = harness({
        carriers: [carrier('ok'), carrier('off', { enabled: false }), carrier('gone', { deleted: true }), carrier('dear'), carrier('dear-allowed', { allowAboveRetail: true })],
        decks: { ok: [rate('44', 0.03)], off: [rate('44', 0.001)], gone: [rate('44', 0.001)], dear: [rate('44', 0.06)], 'dear-allowed': [rate('44', 0.07)] },
      });
      const ranking = h.engine.rank({ destination: LONDON, retail: retail(0.05), at: new Date(T0) });
      expect(ranking.routes.map((r) => [r.carrierId, r.aboveRetail])).to.deep.equal([
        ['ok', false],
        ['dear-allowed', true],
      ]);
      expect(ranking.excluded.map((e) => [e.carrierId, e.reason])).to.deep.equal([
        ['off', 'disabled'],
        ['dear', 'above_retail'],
      ]);
    });

    it('given no retail price, or one in another currency, then only carriers allowed above retail qualify', function () {
      const h = harness({ carriers: [carrier('a'), carrier('b', { allowAboveRetail: true })], decks: { a: [rate('44', 0.01)], b: [rate('44', 0.01)] } });
      for (const price of [undefined, retail(1, { currency: 'EUR' })]) {
        const ranking = h.engine.rank({ destination: LONDON, retail: price, at: new Date(T0) });
        expect(ranking.routes.map((r) => r.carrierId)).to.deep.equal(['b']);
        expect(ranking.excluded).to.deep.equal([{ carrierId: 'a', carrierName: 'carrier a', reason: 'retail_unknown' }]);
      }
      expect(h.engine.rank({ destination: LONDON, retail: retail(1, { currency: 'EUR' }), at: new Date(T0) }).retail?.comparable).to.equal(false);
    });

    it('given a request to explain, then every route says its cost, its quality figures and its score', function () {
      const h = harness({ carriers: [carrier('a'), carrier('b')], decks: { a: [rate('44', 0.01)], b: [rate('4420', 0.02, { connectFeeMinor: 1n })] } });
      history(h, 'a', 800, 400);
      const ranking = h.engine.rank({ destination: LONDON, retail: retail(0.5), at: new Date(T0), explain: true });
      const [a, b] = ranking.routes;
      expect(a?.reasons).to.have.length(3);
      expect(a?.reasons[0]).to.equal('cost: 0.02 USD for a 120 s call (0.01/min at deck prefix 44, 60/60 s), the cheapest');
      expect(a?.reasons[1]).to.match(/^quality: ASR 0\.50, ACD 120 s, PDD 2500 ms, MES 85\.0, .* from 800 attempts at 4420, 800 at \+44, 0\.0 recent$/);
      expect(a?.reasons[2]).to.match(/^score 0\.\d{3} = \(0\.5 x cost 1\.000 \+ 0\.5 x quality 0\.\d{3}\) \/ 1$/);
      expect(b?.reasons[0]).to.equal('cost: 0.05 USD for a 120 s call (0.02/min at deck prefix 4420 + 0.01 connect fee, 60/60 s), 2.50x the cheapest');
      expect(b?.reasons[1]).to.equal('quality: no calls measured yet; figures are the priors');
      expect(h.engine.rank({ destination: LONDON, retail: retail(0.5), at: new Date(T0) }).routes[0]?.reasons).to.deep.equal([]);
    });
  });
});
