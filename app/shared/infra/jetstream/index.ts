// Event infrastructure over NATS JetStream: streams and durable consumers, the outbox publisher,
// the consumer runner (ack after commit, retries, dead letters) and idempotent application.
export { ensureStreams, ensureConsumer, streamConfigs, consumerConfig, StreamSetupError, DUPLICATE_WINDOW_MS, type StreamOptions } from './stream-setup';
export type { ConsumerDefinition, ConsumerSetupOptions } from './stream-setup';
// The outbox publisher lives with the outbox and its leases (../outbox); re-exported for its users here.
export { OutboxPublisher, malformedOutboxKey } from '../outbox';
export type { OutboxPublisherOptions } from '../outbox';
export { startConsumer, consumerMetrics, defaultRetryDelayMs } from './consumer-runner';
export { startBatchConsumer } from './batch-consumer-runner';
export type { BatchConsumerOptions, BatchHandlers } from './batch-consumer-runner';
export type { ConsumerRunnerOptions, RunningConsumer, DeliveryMeta, DeadLetter } from './consumer-runner';
export { applyOnce, applyOnceSql } from './apply-once';
export { pruneProcessedEvents } from './processed-events';
export type { EventTransaction, ApplyOnceOptions } from './apply-once';
export { JetStreamDeadLetters, DEAD_LETTERS_PAGE_MAX } from './dead-letters';
export type { DeadLetterAdmin, DeadLetterEntry, DeadLetterSelection, ReplayOutcome, ReplayTarget } from './dead-letters';
export { isDependencyFailure } from './dependency-failure';
