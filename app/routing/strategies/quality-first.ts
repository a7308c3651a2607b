import { byCarrierId, scoreCandidates } from './scores';
import { type ScoringStrategy } from './types';

// CGRateS's *qos: the best quality first; cost only breaks ties.
export const qualityFirst: ScoringStrategy = {
  name: 'quality',
  description: 'best quality score first (ASR, ACD, PDD, MES); cost breaks ties',
  rank(candidates) {
    return scoreCandidates(candidates, (_cost, quality) => quality).sort((a, b) => b.qualityScore - a.qualityScore || a.costMicros - b.costMicros || byCarrierId(a, b));
  },
};
