import { minorUnitDigits } from '../rating';

// How the recommendation service ranks carriers. main builds it from config (ROUTING_*); the
// internal figures (priors, quality part weights) have sensible defaults and are for tests.
export interface RoutingOptions {
  // A scoring strategy of strategies/index.ts: blended, least-cost or quality.
  strategy: string;
  // Weights of the blended score: cost and quality, each >= 0, not both 0.
  costWeight: number;
  qualityWeight: number;
  // Share of routing decisions that may put an under-measured carrier first (0 turns exploration off).
  explorationRate: number;
  // At most this many exploration picks per carrier and prefix per recent window (one half-life).
  explorationMaxCalls: number;
  // A carrier with fewer recent (decayed) attempts than this at a prefix is under-measured.
  explorationMinAttempts: number;
  // The speed layer's sliding window: an attempt weighs half as much after this long.
  recentHalfLifeMinutes: number;
  // History of the batch layer: calls that ended in the last this many days.
  historyDays: number;
  // The batch layer recomputes every this often (the instance whose turn it is; see RoutingJobs).
  batchIntervalMinutes: number;
  // The batch's watermark stays this far behind now: call records of just-ended calls are still
  // being written; the speed layer covers them meanwhile.
  batchLagMinutes: number;
  // Currency of every carrier's rate deck (the platform settles with carriers in one currency).
  carrierCurrency: string;
  // Costs are compared (between carriers and against the retail price) for a call this long.
  referenceCallSeconds: number;
  // Carrier flags, deck versions, the batch watermark and other instances' speed minutes are
  // re-read this often.
  refreshMs: number;
  maxRateFileBytes: number;
  maxRateRows: number;
  rateImportTimeoutMs: number;
  // The long-term figure counts as at most this many attempts against the recent window's: the
  // smaller, the faster a collapse demotes a carrier with a long good history.
  historyWeight: number;
  // Pseudo-attempts pulling a sparse prefix's figures towards its country's, and a country's
  // towards the priors below.
  shrinkage: number;
  priors: QualityPriors;
}

export interface QualityPriors {
  asr: number;
  acdSeconds: number;
  pddMs: number;
  mes: number;
  jitterMs: number;
  lossRatio: number;
}

export const DEFAULT_ROUTING_OPTIONS: RoutingOptions = {
  strategy: 'blended',
  costWeight: 0.5,
  qualityWeight: 0.5,
  explorationRate: 0.05,
  explorationMaxCalls: 20,
  explorationMinAttempts: 10,
  recentHalfLifeMinutes: 10,
  historyDays: 30,
  batchIntervalMinutes: 60,
  batchLagMinutes: 2,
  carrierCurrency: 'USD',
  referenceCallSeconds: 120,
  refreshMs: 2000,
  maxRateFileBytes: 256 * 1024 * 1024,
  maxRateRows: 2_000_000,
  rateImportTimeoutMs: 10 * 60 * 1000,
  historyWeight: 10,
  shrinkage: 5,
  priors: { asr: 0.4, acdSeconds: 120, pddMs: 3000, mes: 80, jitterMs: 10, lossRatio: 0.005 },
};

export function routingOptions(overrides: Partial<RoutingOptions> = {}): RoutingOptions {
  const options = { ...DEFAULT_ROUTING_OPTIONS, ...overrides, priors: { ...DEFAULT_ROUTING_OPTIONS.priors, ...overrides.priors } };
  minorUnitDigits(options.carrierCurrency);
  for (const key of ['costWeight', 'qualityWeight', 'historyWeight', 'shrinkage'] as const) {
    if (!Number.isFinite(options[key]) || options[key] < 0) throw new RangeError(`routing option ${key} must be a number >= 0`);
  }
  if (options.costWeight + options.qualityWeight <= 0) throw new RangeError('routing options costWeight and qualityWeight must not both be 0');
  if (!(options.explorationRate >= 0 && options.explorationRate <= 1)) throw new RangeError('routing option explorationRate must be within 0-1');
  for (const key of ['explorationMaxCalls', 'explorationMinAttempts', 'recentHalfLifeMinutes', 'historyDays', 'batchIntervalMinutes', 'referenceCallSeconds', 'refreshMs', 'maxRateFileBytes', 'maxRateRows', 'rateImportTimeoutMs'] as const) {
    if (!Number.isSafeInteger(options[key]) || options[key] < 1) throw new RangeError(`routing option ${key} must be a positive integer`);
  }
  if (!Number.isSafeInteger(options.batchLagMinutes) || options.batchLagMinutes < 0) throw new RangeError('routing option batchLagMinutes must be an integer >= 0');
  return options;
}
