import { minorUnitDigits } from '../rating';
import { CONSUMERS } from '../shared/events';
import { type Logger, silentLogger } from '../shared/infra/logger';
import { type Database } from '../shared/infra/prisma';
import { type Sql } from '../shared/infra/sql';
import { type Clock, type Scheduler, systemScheduler } from '../shared/kernel';
import { Explorer } from './exploration';
import { type RoutingOptions, routingOptions } from './options';
import { PgSpeedMinutes } from './pg-speed-minutes';
import { type QualityStore, type RetailPrices } from './ports';
import { PrismaCallRecordSource } from './prisma-call-record-source';
import { PrismaCarrierStore } from './prisma-carrier-store';
import { PrismaQualityStore } from './prisma-quality-store';
import { QualityBatch } from './quality-batch';
import { type Random } from './random';
import { CarrierRates } from './rate-import';
import { RouteEngine } from './route-engine';
import { RoutingJobs } from './routing-jobs';
import { RoutingService } from './routing-service';
import { LiveRoutingState } from './routing-state';
import { SpeedLayer } from './speed-layer';
import { strategyNamed } from './strategies';

const MINUTE_MS = 60_000;

export interface RoutingModuleDeps {
  db: Database;
  // The speed layer's write of every ended outbound call (pg-speed-minutes.ts).
  sql: Sql;
  // The sender's retail price (billing's retailRateOf).
  retail: RetailPrices;
  clock: Clock;
  log?: Logger;
  options?: Partial<RoutingOptions>;
  scheduler?: Scheduler;
  // Exploration's coin; seeded in tests.
  random?: Random;
  // The durable consumer whose processed events the speed layer marks (tests use their own).
  consumerName?: string;
}

export interface RoutingModule {
  service: RoutingService;
  jobs: RoutingJobs;
}

// Windows derived from the half-life: the recent window keeps 8 half-lives of minutes (older ones
// weigh under 0.4%); exploration budgets run over one half-life.
const horizonMsOf = (options: RoutingOptions): number => 8 * options.recentHalfLifeMinutes * MINUTE_MS;

function batchOf(db: Database, store: QualityStore, clock: Clock, options: RoutingOptions, log: Logger): QualityBatch {
  return new QualityBatch(new PrismaCallRecordSource(db), store, clock, { historyDays: options.historyDays, lagMinutes: options.batchLagMinutes, horizonMs: horizonMsOf(options) }, log);
}

export function createRoutingModule(deps: RoutingModuleDeps): RoutingModule {
  const log = (deps.log ?? silentLogger).child({ module: 'routing' });
  const options = routingOptions(deps.options);
  const strategy = strategyNamed(options.strategy);
  const halfLifeMs = options.recentHalfLifeMinutes * MINUTE_MS;
  const qualityStore = new PrismaQualityStore(deps.db);
  const carrierStore = new PrismaCarrierStore(deps.db);
  const state = new LiveRoutingState(carrierStore, qualityStore, deps.clock, { halfLifeMs, horizonMs: horizonMsOf(options) }, log);
  const explorer = new Explorer(
    { rate: options.explorationRate, maxCalls: options.explorationMaxCalls, minAttempts: options.explorationMinAttempts, windowMs: halfLifeMs },
    deps.random ?? Math.random,
  );
  const engine = new RouteEngine(state, strategy, explorer, {
    weights: { cost: options.costWeight, quality: options.qualityWeight },
    carrierCurrency: options.carrierCurrency,
    carrierMinorUnitDigits: minorUnitDigits(options.carrierCurrency),
    referenceCallSeconds: options.referenceCallSeconds,
    estimate: { priors: options.priors, shrinkage: options.shrinkage, historyWeight: options.historyWeight },
    explorationMinAttempts: options.explorationMinAttempts,
  });
  const service = new RoutingService({
    engine,
    state,
    rates: new CarrierRates(carrierStore, state, options, log),
    speed: new SpeedLayer(new PgSpeedMinutes(deps.sql), state, deps.consumerName ?? CONSUMERS.routing.name, deps.clock, horizonMsOf(options), log),
    batch: batchOf(deps.db, qualityStore, deps.clock, options, log),
    retail: deps.retail,
    carrierCurrency: options.carrierCurrency,
    carrierMinorUnitDigits: minorUnitDigits(options.carrierCurrency),
    clock: deps.clock,
    log,
  });
  const jobs = new RoutingJobs(service, qualityStore, deps.scheduler ?? systemScheduler, deps.clock, { refreshMs: options.refreshMs, batchIntervalMs: options.batchIntervalMinutes * MINUTE_MS }, log);
  return { service, jobs };
}

// The batch layer on its own (scripts/routing-batch.sh): no decks, no consumer.
export function createQualityBatch(deps: { db: Database; clock: Clock; log?: Logger; options?: Partial<RoutingOptions> }): QualityBatch {
  const log = (deps.log ?? silentLogger).child({ module: 'routing' });
  const options = routingOptions(deps.options);
  return batchOf(deps.db, new PrismaQualityStore(deps.db), deps.clock, options, log);
}

export { RoutingService, type Sender, type RouteRequest, type RouteAnswer } from './routing-service';
export { RoutingJobs } from './routing-jobs';
export { QualityBatch, type BatchResult } from './quality-batch';
export { type RoutingOptions, DEFAULT_ROUTING_OPTIONS, routingOptions, type QualityPriors } from './options';
export { type CarrierRateImport } from './rate-import';
export { RouteEngine, type RouteRanking, type RankedRoute, type Exclusion, type ExclusionReason, type CarrierInfo, type RoutingState, type EngineSettings } from './route-engine';
export { CarrierDecks, type DeckMatch } from './cost/carrier-decks';
export { costMicros, exceedsRetail, type RetailRate, type Tariff } from './cost/tariff-cost';
export { QualityBook, type MinuteRow, type QualityRow } from './quality/quality-book';
export { type QualityCounters, emptyCounters } from './quality/counters';
export { contributionsOf, type CallOutcome, type Contribution } from './quality/contributions';
export { estimateQuality, type QualityFigures } from './quality/estimate';
export { Explorer } from './exploration';
export { seededRandom, type Random } from './random';
export { STRATEGIES, STRATEGY_NAMES, strategyNamed, type ScoringStrategy, type RouteCandidate, type ScoredRoute } from './strategies';
export { qualityKeysOf, normaliseDestination, countryCodeOf } from './destination';
export * from './errors';
export type { RetailPrices, CarrierStore, QualityStore, SpeedMinutes, CallRecordSource } from './ports';
