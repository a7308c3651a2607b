// The outbox and what keeps it safe with several controller instances: events queued in Redis
// with the state change they describe (outbox-entry.ts), published to JetStream in order
// (outbox-publisher.ts), one holder per instance id (redis-instance-registry.ts: leases and
// heartbeats), and outboxes of instances that stopped adopted by another (redis-stranded-outboxes.ts).
export { outboxKey, outboxFenceKey, toOutboxEntry, parseOutboxEntry, type OutboxEntry } from './outbox-entry';
export { OutboxPublisher, malformedOutboxKey, type OutboxPublisherOptions } from './outbox-publisher';
export { InstanceIdInUseError, RedisInstanceRegistry, type RedisInstanceRegistryOptions } from './redis-instance-registry';
export { RedisStrandedOutboxes, type RedisStrandedOutboxesOptions } from './redis-stranded-outboxes';
