import { DeliverPolicy, type JetStreamManager } from 'nats';
import { type ConsumerDefinition, consumerConfig, type ConsumerSetupOptions } from '../../app/shared/infra/jetstream';

// A test's own durable consumer on a shared subject, delivering only what is published from now
// on: the stream keeps earlier runs' and suites' events (hundreds on a long-lived test stack),
// which the test has no use for and which would all be handled before its own.
export async function addConsumerFromNow(jsm: JetStreamManager, def: ConsumerDefinition, options: ConsumerSetupOptions = {}): Promise<void> {
  await jsm.consumers.add(def.stream, { ...consumerConfig(def, options), deliver_policy: DeliverPolicy.New });
}
