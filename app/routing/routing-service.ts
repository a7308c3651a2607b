import { type RateDeckSource } from '../rating';
import { type CallEnded } from '../shared/events';
import { type Logger } from '../shared/infra/logger';
import { type Clock, errorMessage } from '../shared/kernel';
import { costMicros, type RetailRate } from './cost/tariff-cost';
import { countryOfNumber, normaliseDestination } from './destination';
import { InvalidDestinationError } from './errors';
import { type RetailPrices } from './ports';
import { type QualityCounters } from './quality/counters';
import { type QualityBatch, type BatchResult } from './quality-batch';
import { type CarrierRateImport, type CarrierRates } from './rate-import';
import { type RouteEngine, type RouteRanking } from './route-engine';
import { type LiveRoutingState } from './routing-state';
import { type SpeedLayer } from './speed-layer';

// Who is calling: a user with their own E.164 number (call-state's Party, structurally).
export interface Sender {
  userId: string;
  username: string;
  phoneNumber: string;
}

// call-state's RouteRequest (app/call-state/ports.ts), which this module fulfils structurally.
export interface RouteRequest {
  callId: string;
  caller: Sender;
  destination: string;
  at: Date;
}

export interface RouteAnswer extends RouteRanking {
  sender: Sender & { country?: string };
  // What was asked for, before normalisation.
  to: string;
}

export interface RoutingServiceParts {
  engine: RouteEngine;
  state: LiveRoutingState;
  rates: CarrierRates;
  speed: SpeedLayer;
  batch: QualityBatch;
  retail: RetailPrices;
  // Currency of the carriers' rate decks (ROUTING_CARRIER_CURRENCY) and its minor unit digits.
  carrierCurrency: string;
  carrierMinorUnitDigits: number;
  clock: Clock;
  log: Logger;
}

// The recommendation service: getRoute for people (the admin API), routesFor for the call state
// manager (its Router port), the rate decks' import, and both layers of the quality figures.
export class RoutingService {
  constructor(private readonly parts: RoutingServiceParts) {}

  // Loads carriers, decks and the quality figures of both layers. Before any routing decision.
  start(): Promise<void> {
    return this.parts.state.load();
  }

  refresh(): Promise<void> {
    return this.parts.state.refresh();
  }

  // The design's getRoute(sender, receiver): carriers for the number, best first, with the reasons.
  // A national number is read in the sender's country (that of their own number).
  async getRoute(sender: Sender, to: string): Promise<RouteAnswer> {
    const country = countryOfNumber(sender.phoneNumber);
    const destination = normaliseDestination(to, sender.phoneNumber);
    if (!destination) throw new InvalidDestinationError(to, country);
    const at = this.parts.clock.now();
    const retail = await this.retailOf(sender.userId, destination, at);
    // Read-only: the answer is the ranking calls get, without exploration's random pick.
    const ranking = this.parts.engine.rank({ destination, retail, at, explain: true, explore: false });
    return { ...ranking, sender: { ...sender, ...(country ? { country } : {}) }, to };
  }

  // call-state's Router: carrier ids to try for this call, best first (empty: no carrier may carry it).
  async routesFor(request: RouteRequest): Promise<string[]> {
    const retail = await this.retailOf(request.caller.userId, request.destination, request.at);
    const ranking = this.parts.engine.rank({ destination: request.destination, retail, at: request.at });
    const carriers = ranking.routes.map((route) => route.carrierId);
    this.parts.log.child({ callId: request.callId, destination: request.destination }).info('call routed', {
      carriers,
      explored: ranking.routes.find((route) => route.explored)?.carrierId,
      excluded: ranking.excluded.length,
    });
    return carriers;
  }

  importRates(carrierId: string, csv: RateDeckSource): Promise<CarrierRateImport> {
    return this.parts.rates.importRates(carrierId, csv);
  }

  // The routing consumer's handler of call.v1.ended (the speed layer).
  handleCallEnded(event: CallEnded): Promise<void> {
    return this.parts.speed.handleCallEnded(event);
  }

  // Recomputes the batch layer now, then takes its figures in.
  async runBatch(): Promise<BatchResult> {
    const result = await this.parts.batch.run();
    if (result.saved) await this.parts.state.reloadBatch();
    return result;
  }

  // What a finished call cost through a carrier, by its deck as loaded now (the call records keep
  // it); undefined when the carrier's deck does not cover the number.
  carrierCostOf(carrierId: string, dialed: string, callerNumber: string, talkSeconds: number): { micros: bigint; currency: string } | undefined {
    const destination = normaliseDestination(dialed, callerNumber);
    const tariff = destination ? this.parts.state.decks.lookup(carrierId, destination) : undefined;
    if (!tariff) return undefined;
    return { micros: costMicros(tariff, talkSeconds, this.parts.carrierMinorUnitDigits), currency: this.parts.carrierCurrency };
  }

  // The merged sums (batch + speed) of a carrier at a prefix: what routing knows of it.
  qualitySums(carrierId: string, prefix: string): QualityCounters {
    return { ...this.parts.state.book.history(carrierId, prefix) };
  }

  // A retail price that cannot be read counts as unknown: only carriers allowed above retail may
  // then carry the call (billing refuses a paid call it cannot price anyway).
  private async retailOf(userId: string, destination: string, at: Date): Promise<RetailRate | undefined> {
    if (!userId) return undefined;
    try {
      return await this.parts.retail.retailRateOf(userId, destination, at);
    } catch (error) {
      this.parts.log.warn('retail price unavailable', { userId, destination, error: errorMessage(error) });
      return undefined;
    }
  }
}
