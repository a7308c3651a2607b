import { type CarrierTarget } from '../call-state';
import { errorMessage } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type EmergencyCarrier, type EmergencyCarrierSource } from './ports';

// The emergency carriers, kept in memory and re-read periodically: an emergency call is routed
// from here, so it connects while the database is down (the last list read stays in use).
export class EmergencyCarrierCache {
  private carriers: EmergencyCarrier[] = [];
  private loadedAt: number | undefined;

  constructor(
    private readonly source: EmergencyCarrierSource,
    private readonly log: Logger,
  ) {}

  async refresh(): Promise<void> {
    try {
      this.carriers = await this.source.emergencyCarriers();
      this.loadedAt = Date.now();
    } catch (error) {
      this.log.error('emergency carriers not re-read: the last list stays in use', { error: errorMessage(error), loadedAt: this.loadedAt });
    }
  }

  // The carriers to try for an emergency call of this country, in their configured order.
  targetsFor(country: string, number: string): CarrierTarget[] {
    return this.carriers
      .filter((carrier) => carrier.countries.includes(country))
      .map((carrier) => ({ carrierId: carrier.carrierId, endpoint: carrier.dialString(number), maxConcurrentCalls: carrier.maxConcurrentCalls }));
  }
}
