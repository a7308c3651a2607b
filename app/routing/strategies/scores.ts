import { type QualityFigures } from '../quality/estimate';
import { type QualityParts, type RouteCandidate, type ScoredRoute } from './types';

// The quality score is ASR x (the weighted rest): a call that does not connect has no duration,
// delay or sound worth anything, so the chance of connecting scales everything else (a carrier
// with a third of the best ASR gets at most a third of the score). The rest: how calls sound,
// how long they last, how fast they ring.
export const QUALITY_PART_WEIGHTS: Readonly<Omit<QualityParts, 'asr'>> = { acd: 0.3, pdd: 0.3, media: 0.4 };

const clamp01 = (value: number): number => (value < 0 ? 0 : value > 1 ? 1 : value);

// Asterisk 21+ reports a media experience score; without one (older switches), a rough stand-in
// from packet loss and jitter on the same 0-100 scale.
export function mediaScoreOf(quality: QualityFigures): number {
  if (quality.mesMeasured) return clamp01(quality.mes / 100);
  const lossPercent = quality.lossRatio * 100;
  return clamp01((90 - 5 * lossPercent - 0.5 * Math.max(0, quality.jitterMs - 10)) / 100);
}

// Cost and quality scores relative to the other candidates of the same call: ASR, ACD and PDD
// differ a lot between destinations, so "best of these carriers" is what compares.
// scoreOf: the strategy's score from the two.
export function scoreCandidates(candidates: readonly RouteCandidate[], scoreOf: (costScore: number, qualityScore: number) => number): ScoredRoute[] {
  let minCost = Number.POSITIVE_INFINITY;
  let maxAsr = 0;
  let maxAcd = 0;
  let minPdd = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    minCost = Math.min(minCost, c.costMicros);
    maxAsr = Math.max(maxAsr, c.quality.asr);
    maxAcd = Math.max(maxAcd, c.quality.acdSeconds);
    minPdd = Math.min(minPdd, c.quality.pddMs);
  }
  return candidates.map((c) => {
    const parts: QualityParts = {
      asr: maxAsr > 0 ? c.quality.asr / maxAsr : 1,
      acd: maxAcd > 0 ? c.quality.acdSeconds / maxAcd : 1,
      pdd: (minPdd + 1) / (c.quality.pddMs + 1),
      media: mediaScoreOf(c.quality),
    };
    const qualityScore = parts.asr * (QUALITY_PART_WEIGHTS.acd * parts.acd + QUALITY_PART_WEIGHTS.pdd * parts.pdd + QUALITY_PART_WEIGHTS.media * parts.media);
    const costScore = (minCost + 1) / (c.costMicros + 1);
    // Field by field, not spread: this runs for every candidate of every call.
    return { carrierId: c.carrierId, carrierName: c.carrierName, costMicros: c.costMicros, quality: c.quality, score: scoreOf(costScore, qualityScore), costScore, qualityScore, qualityParts: parts };
  });
}

export const byCarrierId = (a: { carrierId: string }, b: { carrierId: string }): number => (a.carrierId < b.carrierId ? -1 : a.carrierId > b.carrierId ? 1 : 0);
