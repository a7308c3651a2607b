import { byCarrierId, scoreCandidates } from './scores';
import { type ScoringStrategy } from './types';

// CGRateS's *lc: the cheapest first; quality only breaks ties.
export const leastCost: ScoringStrategy = {
  name: 'least-cost',
  description: 'cheapest first; the quality score breaks ties',
  rank(candidates) {
    return scoreCandidates(candidates, (cost) => cost).sort((a, b) => a.costMicros - b.costMicros || b.qualityScore - a.qualityScore || byCarrierId(a, b));
  },
};
