import { UnknownStrategyError } from '../errors';
import { blended } from './blended';
import { leastCost } from './least-cost';
import { qualityFirst } from './quality-first';
import { type ScoringStrategy } from './types';

// Every scoring strategy by name. A new one is a file exporting a ScoringStrategy, added here.
export const STRATEGIES: ReadonlyMap<string, ScoringStrategy> = new Map([blended, leastCost, qualityFirst].map((strategy) => [strategy.name, strategy]));

export const STRATEGY_NAMES = [...STRATEGIES.keys()];

export function strategyNamed(name: string, registry: ReadonlyMap<string, ScoringStrategy> = STRATEGIES): ScoringStrategy {
  const strategy = registry.get(name);
  if (!strategy) throw new UnknownStrategyError(name, [...registry.keys()]);
  return strategy;
}

export type { ScoringStrategy, RouteCandidate, ScoredRoute, ScoreWeights, QualityParts } from './types';
export { scoreCandidates, mediaScoreOf, QUALITY_PART_WEIGHTS } from './scores';
