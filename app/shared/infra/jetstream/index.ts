// Event infrastructure over NATS JetStream: streams and durable consumers, the outbox publisher,
// the consumer runner (ack after commit, retries, dead letters) and idempotent application.
export { ensureStreams, ensureConsumer, streamConfigs, consumerConfig, StreamSetupError, DUPLICATE_WINDOW_MS, type StreamOptions } from './stream-setup';
export type { ConsumerDefinition, ConsumerSetupOptions } from './stream-setup';
export { OutboxPublisher, malformedOutboxKey } from './outbox-publisher';
export type { OutboxPublisherOptions } from './outbox-publisher';
export { startConsumer, consumerMetrics, defaultRetryDelayMs } from './consumer-runner';
export { startBatchConsumer } from './batch-consumer-runner';
export type { BatchConsumerOptions, BatchHandlers } from './batch-consumer-runner';
export type { ConsumerRunnerOptions, RunningConsumer, DeliveryMeta, DeadLetter } from './consumer-runner';
export { applyOnce, applyOnceSql } from './apply-once';
export { pruneProcessedEvents } from './processed-events';
export type { EventTransaction, ApplyOnceOptions } from './apply-once';
