import { type JetStreamClient } from 'nats';
import { type Registry } from 'prom-client';
import { CallEventSchema, CONSUMERS, type CallEvent } from '../shared/events';
import { startConsumer, type ConsumerDefinition, type RunningConsumer } from '../shared/infra/jetstream';
import { type Logger } from '../shared/infra/logger';

// The consumer's backlog (consumer_backlog_messages) is read from the server this often.
const BACKLOG_EVERY_MS = 15_000;

// The `intercept` consumer of call events. An intercept record must not be lost (a dead letter
// after a short database outage would be) nor handled out of order (an answer before its begin
// would find no intercept): a failing event is retried where it is, without limit, and the events
// behind it wait. consumer_held_up_seconds, consumer_backlog_messages and an error log after a
// minute tell the operator. Its log lines go to the intercept log.
export function startInterceptConsumer(deps: {
  js: JetStreamClient;
  handle: (event: CallEvent) => Promise<void>;
  log: Logger;
  metrics: Registry;
  // Tests: a durable of their own.
  consumer?: ConsumerDefinition;
}): RunningConsumer {
  return startConsumer({
    js: deps.js,
    consumer: deps.consumer ?? CONSUMERS.intercept,
    schema: CallEventSchema,
    handle: deps.handle,
    log: deps.log,
    metrics: deps.metrics,
    retryInPlace: true,
    backlogEveryMs: BACKLOG_EVERY_MS,
  });
}
