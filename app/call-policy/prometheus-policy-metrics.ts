import { Counter, type Registry } from 'prom-client';
import { type PolicyMetrics } from './ports';

// Alarms and refusals of the call admission rules, as Prometheus counters.
export class PrometheusPolicyMetrics implements PolicyMetrics {
  private readonly unroutable: Counter<'country'>;
  private readonly refusals: Counter<'cause' | 'reason'>;
  private readonly rateAlarms: Counter<'blocked'>;

  constructor(registry: Registry) {
    this.unroutable = new Counter({
      name: 'emergency_calls_unroutable_total',
      help: 'Emergency calls that found no emergency carrier for the caller\'s country (an alarm: configure one)',
      labelNames: ['country'],
      registers: [registry],
    });
    this.refusals = new Counter({ name: 'calls_refused_by_policy_total', help: 'Calls refused by the admission rules (suspension, limits, blocklist, fraud caps), by end cause and reason', labelNames: ['cause', 'reason'], registers: [registry] });
    this.rateAlarms = new Counter({
      name: 'fraud_destination_rate_alarms_total',
      help: 'Calls to one destination, across users, above FRAUD_DESTINATION_CALLS_PER_MINUTE (an alarm: a pumping or IRSF pattern); blocked="true" when the destination was blocked for a while',
      labelNames: ['blocked'],
      registers: [registry],
    });
  }

  refused(cause: string, reason: string): void {
    this.refusals.inc({ cause, reason });
  }

  destinationRateAlarm(blocked: boolean): void {
    this.rateAlarms.inc({ blocked: String(blocked) });
  }

  emergencyUnroutable(country: string): void {
    this.unroutable.inc({ country });
  }
}
