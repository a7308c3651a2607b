import { Counter, Gauge, type Registry, register as defaultRegistry } from 'prom-client';

// What every consumer runner counts, labelled by consumer.
export interface ConsumerMetrics {
  consumed: Counter<'consumer'>;
  redelivered: Counter<'consumer'>;
  deadLettered: Counter<'consumer'>;
  retriedInPlace: Counter<'consumer'>;
  // How long the event being retried in place has been failing (0: none is).
  heldUpSeconds: Gauge<'consumer'>;
  // Messages of the consumer not yet acknowledged (pending and in flight), as the server counts them.
  backlog: Gauge<'consumer'>;
  // Attempts that failed because a dependency (PostgreSQL, Redis, NATS) was down: retried, never dead-lettered.
  dependencyRetries: Counter<'consumer'>;
}

// Counters are registered once per registry and shared by every consumer (label `consumer`).
export function consumerMetrics(registry: Registry = defaultRegistry): ConsumerMetrics {
  const counter = (name: string, help: string): Counter<'consumer'> =>
    (registry.getSingleMetric(name) as Counter<'consumer'> | undefined) ?? new Counter({ name, help, labelNames: ['consumer'], registers: [registry] });
  const gauge = (name: string, help: string): Gauge<'consumer'> =>
    (registry.getSingleMetric(name) as Gauge<'consumer'> | undefined) ?? new Gauge({ name, help, labelNames: ['consumer'], registers: [registry] });
  return {
    consumed: counter('events_consumed_total', 'Events a consumer applied and acknowledged'),
    redelivered: counter('events_redelivered_total', 'Deliveries that were redeliveries of an event'),
    deadLettered: counter('events_dead_lettered_total', 'Events given up on and published to the dead-letter subject'),
    retriedInPlace: counter('events_retried_in_place_total', 'Failed attempts of an event that a consumer retries where it is (later events wait)'),
    heldUpSeconds: gauge('consumer_held_up_seconds', 'How long a consumer has been retrying its current event (0: not held up)'),
    backlog: gauge('consumer_backlog_messages', 'Messages of a consumer not yet acknowledged (pending and in flight)'),
    dependencyRetries: counter('events_dependency_retries_total', 'Failed attempts of an event because a dependency was down (retried, never dead-lettered)'),
  };
}
