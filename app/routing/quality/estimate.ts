import { type QualityPriors } from '../options';
import { type QualityCounters } from './counters';

// The quality figures of one carrier for one destination, as the scoring strategies use them.
export interface QualityFigures {
  // The area prefix the figures are for (see destination.ts).
  prefix: string;
  asr: number;
  acdSeconds: number;
  pddMs: number;
  mes: number;
  jitterMs: number;
  lossRatio: number;
  // Whether any call through the carrier reported a MES (else the media score uses loss and jitter).
  mesMeasured: boolean;
  evidence: {
    // Attempts at the area and the whole country (batch + speed), and the recent window's
    // (decayed) attempts at the area.
    areaAttempts: number;
    countryAttempts: number;
    recentAttempts: number;
    // ASR of the long history alone and of the recent window alone (undefined without attempts).
    historyAsr?: number;
    recentAsr?: number;
  };
}

export interface QualityEvidence {
  prefix: string;
  areaHistory: Readonly<QualityCounters>;
  countryHistory: Readonly<QualityCounters>;
  areaRecent: Readonly<QualityCounters>;
  countryRecent: Readonly<QualityCounters>;
}

export interface EstimateSettings {
  priors: QualityPriors;
  // Pseudo-observations of the parent level (country for an area, the prior for a country).
  shrinkage: number;
  // Most attempts the long history counts as against the recent window.
  historyWeight: number;
}

// A ratio's numerator and denominator, read from counters (two functions, not a tuple: this runs
// 24 times per carrier and decision, and must not allocate).
interface Ratio {
  num(c: Readonly<QualityCounters>): number;
  den(c: Readonly<QualityCounters>): number;
}

// The other areas of the country count half in the recent window: a carrier's outage is usually
// country-wide, but the area's own calls say more.
const OTHER_AREAS_WEIGHT = 0.5;

// A ratio estimate in three steps: the country's long history pulled towards the prior, the
// area's long history towards the country's, then the recent window against that long figure
// counted as at most historyWeight observations. Sparse data gives the parent's figure; a recent
// collapse outweighs a long good history within a few half-lives.
function estimate(e: QualityEvidence, ratio: Ratio, prior: number, s: EstimateSettings): number {
  const k = s.shrinkage;
  const countryDen = ratio.den(e.countryHistory);
  const country = (ratio.num(e.countryHistory) + k * prior) / (countryDen + k);
  const areaDen = ratio.den(e.areaHistory);
  const long = (ratio.num(e.areaHistory) + k * country) / (areaDen + k);
  const recentAreaNum = ratio.num(e.areaRecent);
  const recentAreaDen = ratio.den(e.areaRecent);
  const recentNum = recentAreaNum + OTHER_AREAS_WEIGHT * Math.max(0, ratio.num(e.countryRecent) - recentAreaNum);
  const recentDen = recentAreaDen + OTHER_AREAS_WEIGHT * Math.max(0, ratio.den(e.countryRecent) - recentAreaDen);
  const weight = Math.min(s.historyWeight, areaDen + countryDen + k);
  return (recentNum + weight * long) / (recentDen + weight);
}

const ASR: Ratio = { num: (c) => c.answered, den: (c) => c.attempts };
const ACD_SECONDS: Ratio = { num: (c) => c.talkMs / 1000, den: (c) => c.answered };
const PDD: Ratio = { num: (c) => c.pddMs, den: (c) => c.pddCount };
const MES: Ratio = { num: (c) => c.mesMilli / 1000, den: (c) => c.mesCount };
const JITTER: Ratio = { num: (c) => c.jitterMicros / 1000, den: (c) => c.mediaCount };
const LOSS: Ratio = { num: (c) => c.lostPackets, den: (c) => c.rxPackets + c.lostPackets };

const plainRatio = (num: number, den: number): number | undefined => (den > 0 ? num / den : undefined);

export function estimateQuality(e: QualityEvidence, s: EstimateSettings): QualityFigures {
  const historyAsr = plainRatio(e.areaHistory.answered, e.areaHistory.attempts);
  const recentAsr = plainRatio(e.areaRecent.answered, e.areaRecent.attempts);
  const evidence: QualityFigures['evidence'] = { areaAttempts: e.areaHistory.attempts, countryAttempts: e.countryHistory.attempts, recentAttempts: e.areaRecent.attempts };
  if (historyAsr !== undefined) evidence.historyAsr = historyAsr;
  if (recentAsr !== undefined) evidence.recentAsr = recentAsr;
  return {
    prefix: e.prefix,
    asr: estimate(e, ASR, s.priors.asr, s),
    acdSeconds: estimate(e, ACD_SECONDS, s.priors.acdSeconds, s),
    pddMs: estimate(e, PDD, s.priors.pddMs, s),
    mes: estimate(e, MES, s.priors.mes, s),
    jitterMs: estimate(e, JITTER, s.priors.jitterMs, s),
    lossRatio: estimate(e, LOSS, s.priors.lossRatio, s),
    mesMeasured: e.areaHistory.mesCount + e.countryHistory.mesCount > 0,
    evidence,
  };
}
