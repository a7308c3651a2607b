import { type CarrierDecks, type DeckMatch } from './cost/carrier-decks';
import { costMicros, exceedsRetail, type RetailRate } from './cost/tariff-cost';
import { qualityKeysOf, type QualityKeys } from './destination';
import { type Explorer } from './exploration';
import { emptyCounters } from './quality/counters';
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
export class RouteEngine {
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
    const candidates: Array<RouteCandidate & { tariff: DeckMatch; aboveRetail: boolean }> = [];
    const excluded: Exclusion[] = [];
    for (const carrier of this.state.carriers()) {
      if (carrier.deleted) continue;
      const exclude = (reason: ExclusionReason): void => void excluded.push({ carrierId: carrier.id, carrierName: carrier.name, reason });
      if (!carrier.enabled) {
        exclude('disabled');
        continue;
      }
      const tariff = this.state.decks.lookup(carrier.id, request.destination);
      if (!tariff) {
        exclude('no_rate');
        continue;
      }
      const aboveRetail = !comparable || exceedsRetail(tariff, retail, settings.referenceCallSeconds, settings.carrierMinorUnitDigits);
      if (aboveRetail && !carrier.allowAboveRetail) {
        exclude(comparable ? 'above_retail' : 'retail_unknown');
        continue;
      }
      candidates.push({
        carrierId: carrier.id,
        carrierName: carrier.name,
        costMicros: Number(costMicros(tariff, settings.referenceCallSeconds, settings.carrierMinorUnitDigits)),
        quality: this.qualityOf(carrier.id, prefixes, nowMs),
        tariff,
        aboveRetail,
      });
    }
    const extras = new Map(candidates.map((c) => [c.carrierId, c]));
    const ranked = this.strategy.rank(candidates, settings.weights);
    const explored = prefixes ? this.explorer.choose(ranked, prefixes.area, nowMs) : undefined;
    const ordered = explored ? [explored, ...ranked.filter((route) => route !== explored)] : ranked;
    const routes = ordered.map((route, index): RankedRoute => {
      const extra = extras.get(route.carrierId);
      if (!extra) throw new Error(`strategy ${this.strategy.name} ranked a carrier that was not a candidate`);
      return { ...route, rank: index + 1, tariff: extra.tariff, aboveRetail: extra.aboveRetail, explored: route === explored, reasons: [] };
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
        ? { retail: { ...retail, comparable, referenceCostMicros: Number(costMicros(retail, settings.referenceCallSeconds, settings.carrierMinorUnitDigits)) } }
        : {}),
      routes,
      excluded,
    };
    if (request.explain) explain(ranking, settings.explorationMinAttempts, settings.carrierMinorUnitDigits);
    return ranking;
  }

  qualityOf(carrierId: string, prefixes: QualityKeys | undefined, nowMs: number): QualityFigures {
    const { book } = this.state;
    if (!prefixes) {
      const none = emptyCounters();
      return estimateQuality({ prefix: '', areaHistory: none, countryHistory: none, areaRecent: none, countryRecent: none }, this.settings.estimate);
    }
    return estimateQuality(
      {
        prefix: prefixes.area,
        areaHistory: book.history(carrierId, prefixes.area),
        countryHistory: book.history(carrierId, prefixes.country),
        areaRecent: book.recentAt(carrierId, prefixes.area, nowMs),
        countryRecent: book.recentAt(carrierId, prefixes.country, nowMs),
      },
      this.settings.estimate,
    );
  }
}
