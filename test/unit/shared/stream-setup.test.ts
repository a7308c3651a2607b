import { expect } from 'chai';
import { AckPolicy, DeliverPolicy, nanos, StorageType } from 'nats';
import { CONSUMERS, STREAMS } from '../../../app/shared/events';
import { consumerConfig, streamConfigs } from '../../../app/shared/infra/jetstream/stream-setup';

const DAY = 24 * 60 * 60 * 1000;

describe('jetstream stream and consumer configuration', function () {
  it('defines every stream of STREAMS on file storage with a 10 minute duplicate window', function () {
    const configs = streamConfigs();
    expect(configs.map((c) => c.name)).to.have.members(Object.values(STREAMS).map((s) => s.name));
    for (const config of configs) {
      expect(config.storage).to.equal(StorageType.File);
      expect(config.duplicate_window).to.equal(nanos(10 * 60 * 1000));
    }
  });

  it('given no replica count, then each stream has one copy; given 3 (a 3-server cluster), then each has 3', function () {
    expect(streamConfigs().map((c) => c.num_replicas)).to.deep.equal(Object.values(STREAMS).map(() => 1));
    expect(streamConfigs({ replicas: 3 }).map((c) => c.num_replicas)).to.deep.equal(Object.values(STREAMS).map(() => 3));
  });

  it('keeps call events 30 days, connection events 7 days and dead letters 90 days', function () {
    const maxAge = (name: string) => streamConfigs().find((c) => c.name === name)?.max_age;
    expect(maxAge(STREAMS.callEvents.name)).to.equal(nanos(30 * DAY));
    expect(maxAge(STREAMS.connectionEvents.name)).to.equal(nanos(7 * DAY));
    expect(maxAge(STREAMS.deadLetters.name)).to.equal(nanos(90 * DAY));
  });

  it('makes a durable pull consumer with explicit acks from the start of its filter subject, 30 s ack wait by default', function () {
    const config = consumerConfig(CONSUMERS.callRecords);
    expect(config).to.include({
      durable_name: 'call-records',
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subject: 'call.v1.ended',
      ack_wait: nanos(30_000),
      max_deliver: -1,
    });
    expect(config).not.to.have.property('deliver_subject');
    expect(consumerConfig(CONSUMERS.sessions, { ackWaitMs: 2000, maxDeliver: 10 })).to.include({ ack_wait: nanos(2000), max_deliver: 10 });
  });
});
