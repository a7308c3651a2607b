import { Counter, type Registry } from 'prom-client';
import { type PolicyMetrics } from './ports';

// Alarms and refusals of the call admission rules, as Prometheus counters.
export class PrometheusPolicyMetrics implements PolicyMetrics {
  private readonly unroutable: Counter<'country'>;

  constructor(registry: Registry) {
    this.unroutable = new Counter({
      name: 'emergency_calls_unroutable_total',
      help: 'Emergency calls that found no emergency carrier for the caller\'s country (an alarm: configure one)',
      labelNames: ['country'],
      registers: [registry],
    });
  }

  emergencyUnroutable(country: string): void {
    this.unroutable.inc({ country });
  }
}
