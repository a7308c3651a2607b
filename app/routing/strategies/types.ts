import { type QualityFigures } from '../quality/estimate';

// A carrier that may carry the call: its price for the destination and its quality figures.
export interface RouteCandidate {
  carrierId: string;
  carrierName: string;
  // What a call of the reference length costs through it, micro-units of the carriers' currency.
  costMicros: number;
  quality: QualityFigures;
}

export interface ScoreWeights {
  cost: number;
  quality: number;
}

// The parts of the quality score, each 0-1 (1 = the best of the candidates, or a perfect MES).
export interface QualityParts {
  asr: number;
  acd: number;
  pdd: number;
  media: number;
}

export interface ScoredRoute extends RouteCandidate {
  // 0-1, higher is better; what the strategy sorted by.
  score: number;
  // 0-1: the cheapest candidate's cost over this one's.
  costScore: number;
  // 0-1: ASR x the weighted other parts (strategies/scores.ts).
  qualityScore: number;
  qualityParts: QualityParts;
}

// A way to order the candidates (CGRateS's route sorting strategies): one file per strategy,
// registered by name in strategies/index.ts.
export interface ScoringStrategy {
  readonly name: string;
  readonly description: string;
  // Best first. Deterministic: equal scores are ordered by carrier id.
  rank(candidates: readonly RouteCandidate[], weights: ScoreWeights): ScoredRoute[];
}
