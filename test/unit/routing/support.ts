import { type RateInput, RateTable } from '../../../app/rating';
import {
  CarrierDecks,
  type CarrierInfo,
  DEFAULT_ROUTING_OPTIONS,
  emptyCounters,
  Explorer,
  QualityBook,
  type QualityCounters,
  type Random,
  type RetailRate,
  RouteEngine,
  type RoutingState,
  seededRandom,
  strategyNamed,
} from '../../../app/routing';

export { type RateInput };

export const MINUTE = 60_000;
export const T0 = Date.parse('2026-11-25T12:00:00.000Z');

export const carrier = (id: string, extra: Partial<CarrierInfo> = {}): CarrierInfo => ({ id, name: `carrier ${id}`, enabled: true, deleted: false, allowAboveRetail: false, ...extra });

export const rate = (prefix: string, perMinute: number, extra: Partial<RateInput> = {}): RateInput => ({
  prefix,
  ratePerMinuteMicros: BigInt(Math.round(perMinute * 1_000_000)),
  connectFeeMinor: 0n,
  firstIncrementSeconds: 60,
  nextIncrementSeconds: 60,
  ...extra,
});

export const retail = (perMinute: number, extra: Partial<RetailRate> = {}): RetailRate => ({
  currency: 'USD',
  ratePerMinuteMicros: BigInt(Math.round(perMinute * 1_000_000)),
  connectFeeMinor: 0n,
  firstIncrementSeconds: 60,
  nextIncrementSeconds: 60,
  ...extra,
});

export const counters = (values: Partial<QualityCounters>): QualityCounters => ({ ...emptyCounters(), ...values });

// `attempts` attempts, of which `answered` answered, with typical figures for the answered ones.
export function traffic(attempts: number, answered: number, extra: Partial<QualityCounters> = {}): QualityCounters {
  return counters({ attempts, answered, talkMs: answered * 120_000, pddCount: attempts, pddMs: attempts * 2500, mediaCount: answered, mesCount: answered, mesMilli: answered * 85_000, ...extra });
}

export interface Harness {
  engine: RouteEngine;
  state: RoutingState & { carrierList: CarrierInfo[] };
  book: QualityBook;
  decks: CarrierDecks;
}

// An engine over in-memory carriers, decks and figures (no I/O), as the module builds it.
export function harness(options: {
  carriers: CarrierInfo[];
  decks: Record<string, RateInput[]>;
  strategy?: string;
  weights?: { cost: number; quality: number };
  exploration?: { rate: number; maxCalls?: number; minAttempts?: number };
  random?: Random;
  halfLifeMinutes?: number;
  historyWeight?: number;
}): Harness {
  const halfLifeMs = (options.halfLifeMinutes ?? DEFAULT_ROUTING_OPTIONS.recentHalfLifeMinutes) * MINUTE;
  const decks = new CarrierDecks();
  for (const [id, rates] of Object.entries(options.decks)) decks.install(id, { table: RateTable.of(rates), version: 1 });
  const book = new QualityBook(halfLifeMs);
  const state = { carrierList: options.carriers, carriers: () => state.carrierList, decks, book };
  const minAttempts = options.exploration?.minAttempts ?? DEFAULT_ROUTING_OPTIONS.explorationMinAttempts;
  const explorer = new Explorer(
    { rate: options.exploration?.rate ?? 0, maxCalls: options.exploration?.maxCalls ?? 20, minAttempts, windowMs: halfLifeMs },
    options.random ?? seededRandom(1),
  );
  const engine = new RouteEngine(state, strategyNamed(options.strategy ?? 'blended'), explorer, {
    weights: options.weights ?? { cost: 0.5, quality: 0.5 },
    carrierCurrency: 'USD',
    carrierMinorUnitDigits: 2,
    referenceCallSeconds: 120,
    estimate: { priors: DEFAULT_ROUTING_OPTIONS.priors, shrinkage: DEFAULT_ROUTING_OPTIONS.shrinkage, historyWeight: options.historyWeight ?? DEFAULT_ROUTING_OPTIONS.historyWeight },
    explorationMinAttempts: minAttempts,
  });
  return { engine, state, book, decks };
}

export const order = (h: Harness, destination: string, at = new Date(T0), retailRate: RetailRate | undefined = retail(1)): string[] =>
  h.engine.rank({ destination, retail: retailRate, at }).routes.map((route) => route.carrierId);
