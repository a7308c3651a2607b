import { type CarrierDecks, type DeckMatch } from './cost/carrier-decks';
import { costMicros, type RetailRate } from './cost/tariff-cost';
import { qualityKeysOf, type QualityKeys } from './destination';
import { type Explorer } from './exploration';
import { CarrierPrefixMap } from './quality/carrier-prefix-map';
import { emptyCounters, type QualityCounters } from './quality/counters';
import { type EstimateSettings, estimateQuality, type QualityFigures } from './quality/estimate';
import { type QualityBook } from './quality/quality-book';
import { explain } from './route-reasons';
import { type RouteCandidate, type ScoredRoute, type ScoreWeights, type ScoringStrategy } from './strategies';

// A carrier as routing needs it (the carriers table, re-read every refresh).
export interface CarrierInfo {
  id: string;
  name: string;
  enabled: boolean;
  deleted: boolean;
  allowAboveRetail: boolean;
}

export type ExclusionReason = 'disabled' | 'no_rate' | 'above_retail' | 'retail_unknown';

export interface RankedRoute extends ScoredRoute {
  rank: number;
  tariff: DeckMatch;
  aboveRetail: boolean;
  explored: boolean;
  // Why it is where it is, for people (GET /v1/routes); empty unless asked for.
  reasons: string[];
}

export interface Exclusion {
  carrierId: string;
  carrierName: string;
  reason: ExclusionReason;
}

export interface RouteRanking {
  destination: string;
  prefixes?: QualityKeys;
  at: Date;
  strategy: string;
  weights: ScoreWeights;
  currency: string;
  referenceCallSeconds: number;
  retail?: RetailRate & { referenceCostMicros: number; comparable: boolean };
  routes: RankedRoute[];
  excluded: Exclusion[];
}

export interface RankRequest {
  // E.164.
  destination: string;
  // The caller's retail price for the destination; undefined when it has none (or it is unknown).
  retail: RetailRate | undefined;
  at: Date;
  // Build the reasons (the API); routing decisions of calls skip them.
  explain?: boolean;
  // May this decision explore (default yes)? Only a call's decision may: a look at the ranking (the
  // API) must neither spend the exploration budget nor show a random order.
  explore?: boolean;
}

export interface EngineSettings {
  weights: ScoreWeights;
  carrierCurrency: string;
  carrierMinorUnitDigits: number;
  referenceCallSeconds: number;
  estimate: EstimateSettings;
  explorationMinAttempts: number;
}

export interface RoutingState {
  carriers(): Iterable<CarrierInfo>;
  readonly decks: CarrierDecks;
  readonly book: QualityBook;
}

// The recommendation itself, in memory: candidates are the enabled carriers whose deck prices the
// destination at or below the retail price (or that may go above it), scored by the strategy; then
// bounded exploration may put an under-measured one first.
// The recent window decays by 0.1% a second (10 min half-life): figures a second old still hold.
const QUALITY_MEMO_MS = 1000;
const NO_COUNTERS: Readonly<QualityCounters> = emptyCounters();

interface QualityMemo {
  figures: QualityFigures;
  version: number;
  atMs: number;
  // Neither key has recent minutes: the figures do not change with time, only with the version.
  timeless: boolean;
}

export class RouteEngine {
  private readonly qualityMemo = new CarrierPrefixMap<QualityMemo>();
  // The recent windows' sums of one estimate (read by estimateQuality, never kept).
  private readonly areaRecent = emptyCounters();
  private readonly countryRecent = emptyCounters();
  private readonly referenceCosts = new WeakMap<Readonly<DeckMatch>, bigint>();

  constructor(
    private readonly state: RoutingState,
    private readonly strategy: ScoringStrategy,
    private readonly explorer: Explorer,
    private readonly settings: EngineSettings,
  ) {}

  get strategyName(): string {
    return this.strategy.name;
  }

  rank(request: RankRequest): RouteRanking {
    const { settings } = this;
    const nowMs = request.at.getTime();
    const prefixes = qualityKeysOf(request.destination);
    const retail = request.retail;
    const comparable = retail !== undefined && retail.currency === settings.carrierCurrency;
    const retailCost = comparable ? costMicros(retail, settings.referenceCallSeconds, settings.carrierMinorUnitDigits) : undefined;
    const candidates: RouteCandidate[] = [];
    const extras = new Map<string, { tariff: DeckMatch; aboveRetail: boolean }>();
    const excluded: Exclusion[] = [];
    for (const carrier of this.state.carriers()) {
      if (carrier.deleted) continue;
      const tariff = carrier.enabled ? this.state.decks.lookup(carrier.id, request.destination) : undefined;
      const cost = tariff && this.referenceCostOf(tariff);
      // Above retail: a longer call would lose money (higher rate), or the reference call does.
      const aboveRetail = !comparable || (tariff !== undefined && (tariff.ratePerMinuteMicros > retail.ratePerMinuteMicros || (cost ?? 0n) > (retailCost ?? 0n)));
      const reason: ExclusionReason | undefined = !carrier.enabled ? 'disabled' : !tariff ? 'no_rate' : aboveRetail && !carrier.allowAboveRetail ? (comparable ? 'above_retail' : 'retail_unknown') : undefined;
      if (reason || !tariff) {
        excluded.push({ carrierId: carrier.id, carrierName: carrier.name, reason: reason ?? 'no_rate' });
        continue;
      }
      candidates.push({ carrierId: carrier.id, carrierName: carrier.name, costMicros: Number(cost), quality: this.qualityOf(carrier.id, prefixes, nowMs) });
      extras.set(carrier.id, { tariff, aboveRetail });
    }
    const ranked = this.strategy.rank(candidates, settings.weights);
    const explored = prefixes && request.explore !== false ? this.explorer.choose(ranked, prefixes.area, nowMs) : undefined;
    const ordered = explored ? [explored, ...ranked.filter((route) => route !== explored)] : ranked;
    const routes = ordered.map((route, index): RankedRoute => {
      const extra = extras.get(route.carrierId);
      if (!extra) throw new Error(`strategy ${this.strategy.name} ranked a carrier that was not a candidate`);
      // Field by field, not spread (the hot path).
      return {
        carrierId: route.carrierId,
        carrierName: route.carrierName,
        costMicros: route.costMicros,
        quality: route.quality,
        score: route.score,
        costScore: route.costScore,
        qualityScore: route.qualityScore,
        qualityParts: route.qualityParts,
        rank: index + 1,
        tariff: extra.tariff,
        aboveRetail: extra.aboveRetail,
        explored: route === explored,
        reasons: [],
      };
    });
    const ranking: RouteRanking = {
      destination: request.destination,
      ...(prefixes ? { prefixes } : {}),
      at: request.at,
      strategy: this.strategy.name,
      weights: settings.weights,
      currency: settings.carrierCurrency,
      referenceCallSeconds: settings.referenceCallSeconds,
      ...(retail
        ? { retail: { ...retail, comparable, referenceCostMicros: Number(retailCost ?? costMicros(retail, settings.referenceCallSeconds, settings.carrierMinorUnitDigits)) } }
        : {}),
      routes,
      excluded,
    };
    if (request.explain) explain(ranking, settings.explorationMinAttempts, settings.carrierMinorUnitDigits);
    return ranking;
  }

  // The deck's matches are shared between lookups (CarrierDecks), so their cost is worked out once.
  private referenceCostOf(tariff: Readonly<DeckMatch>): bigint {
    let cost = this.referenceCosts.get(tariff);
    if (cost === undefined) {
      cost = costMicros(tariff, this.settings.referenceCallSeconds, this.settings.carrierMinorUnitDigits);
      this.referenceCosts.set(tariff, cost);
    }
    return cost;
  }

  // Shared between decisions for up to QUALITY_MEMO_MS, or until the carrier's figures at the area
  // or country change: read only.
  qualityOf(carrierId: string, prefixes: QualityKeys | undefined, nowMs: number): QualityFigures {
    const { book } = this.state;
    if (!prefixes) {
      const none = emptyCounters();
      return estimateQuality({ prefix: '', areaHistory: none, countryHistory: none, areaRecent: none, countryRecent: none }, this.settings.estimate);
    }
    const area = book.figuresOf(carrierId, prefixes.area);
    const country = book.figuresOf(carrierId, prefixes.country);
    // Every part only grows, so the sum changes whenever either key or the batch does.
    const version = book.batchVersion + (area?.changes ?? 0) + (country?.changes ?? 0);
    const timeless = area?.recent === undefined && country?.recent === undefined;
    const memo = this.qualityMemo.get(carrierId, prefixes.area);
    if (memo && memo.version === version && (memo.timeless || Math.abs(nowMs - memo.atMs) < QUALITY_MEMO_MS)) return memo.figures;
    const figures = estimateQuality(
      {
        prefix: prefixes.area,
        areaHistory: area?.merged ?? NO_COUNTERS,
        countryHistory: country?.merged ?? NO_COUNTERS,
        areaRecent: area?.recent?.valueInto(nowMs, this.areaRecent) ?? NO_COUNTERS,
        countryRecent: country?.recent?.valueInto(nowMs, this.countryRecent) ?? NO_COUNTERS,
      },
      this.settings.estimate,
    );
    if (memo) {
      memo.figures = figures;
      memo.version = version;
      memo.atMs = nowMs;
      memo.timeless = timeless;
    } else {
      this.qualityMemo.set(carrierId, prefixes.area, { figures, version, atMs: nowMs, timeless });
    }
    return figures;
  }
}
