import { byCarrierId, scoreCandidates } from './scores';
import { type ScoringStrategy } from './types';

// The default: one score blending cost and quality with the configured weights
// (ROUTING_COST_WEIGHT, ROUTING_QUALITY_WEIGHT).
export const blended: ScoringStrategy = {
  name: 'blended',
  description: 'weighted blend of the cost score (cheapest = 1) and the quality score (ASR, ACD, PDD, MES)',
  rank(candidates, weights) {
    const total = weights.cost + weights.quality;
    return scoreCandidates(candidates, (cost, quality) => (weights.cost * cost + weights.quality * quality) / total).sort((a, b) => b.score - a.score || byCarrierId(a, b));
  },
};
