import { formatDecimal } from '../rating';
import { type RankedRoute, type RouteRanking } from './route-engine';

const fixed = (value: number, digits = 2): string => value.toFixed(digits);
// A recent ASR below this share of the long one, over at least a few attempts, is a collapse.
const COLLAPSE_SHARE = 0.5;
const COLLAPSE_MIN_ATTEMPTS = 3;

function reasonsOf(route: RankedRoute, ranking: RouteRanking, minAttempts: number, digits: number): string[] {
  const reasons: string[] = [];
  const q = route.quality;
  const e = q.evidence;
  if (route.explored) {
    reasons.push(`exploration: ${fixed(e.recentAttempts, 1)} recent attempts at ${q.prefix} (fewer than ${minAttempts}), so it is tried first on this call`);
  }
  const money = (micros: number): string => formatDecimal(BigInt(Math.round(micros)), 6, digits);
  const t = route.tariff;
  const fee = t.connectFeeMinor > 0n ? ` + ${formatDecimal(t.connectFeeMinor, digits)} connect fee` : '';
  const relative = route.costScore >= 1 ? 'the cheapest' : `${fixed(1 / route.costScore)}x the cheapest`;
  reasons.push(`cost: ${money(route.costMicros)} ${ranking.currency} for a ${ranking.referenceCallSeconds} s call (${formatDecimal(t.ratePerMinuteMicros, 6, digits)}/min at deck prefix ${t.prefix}${fee}, ${t.firstIncrementSeconds}/${t.nextIncrementSeconds} s), ${relative}`);
  if (route.aboveRetail) reasons.push('costs more than the retail price of the call; allowed for this carrier (allow_above_retail)');
  if (e.areaAttempts + e.countryAttempts === 0 && e.recentAttempts === 0) {
    reasons.push('quality: no calls measured yet; figures are the priors');
  } else {
    const country = ranking.prefixes?.country ?? '';
    reasons.push(
      `quality: ASR ${fixed(q.asr)}, ACD ${fixed(q.acdSeconds, 0)} s, PDD ${fixed(q.pddMs, 0)} ms, MES ${q.mesMeasured ? fixed(q.mes, 1) : 'n/a'}, jitter ${fixed(q.jitterMs, 1)} ms, loss ${fixed(q.lossRatio * 100)}%` +
        ` from ${e.areaAttempts} attempts at ${q.prefix}, ${e.countryAttempts} at +${country}, ${fixed(e.recentAttempts, 1)} recent`,
    );
  }
  if (e.recentAsr !== undefined && e.historyAsr !== undefined && e.recentAttempts >= COLLAPSE_MIN_ATTEMPTS && e.recentAsr < COLLAPSE_SHARE * e.historyAsr) {
    reasons.push(`demoted: recent ASR ${fixed(e.recentAsr)} over ${fixed(e.recentAttempts, 1)} attempts, against ${fixed(e.historyAsr)} in its history`);
  }
  const w = ranking.weights;
  reasons.push(
    ranking.strategy === 'blended'
      ? `score ${fixed(route.score, 3)} = (${w.cost} x cost ${fixed(route.costScore, 3)} + ${w.quality} x quality ${fixed(route.qualityScore, 3)}) / ${w.cost + w.quality}`
      : `score ${fixed(route.score, 3)} (${ranking.strategy}; cost ${fixed(route.costScore, 3)}, quality ${fixed(route.qualityScore, 3)})`,
  );
  return reasons;
}

// Fills each route's reasons: the cost and quality figures used, exploration and demotion.
export function explain(ranking: RouteRanking, explorationMinAttempts: number, minorUnitDigits = 2): void {
  for (const route of ranking.routes) route.reasons = reasonsOf(route, ranking, explorationMinAttempts, minorUnitDigits);
}
