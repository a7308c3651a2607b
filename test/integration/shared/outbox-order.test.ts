import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type JetStreamClient, type NatsConnection } from 'nats';
import { STREAMS } from '../../../app/shared/events';
import { ensureStreams, OutboxPublisher } from '../../../app/shared/infra/jetstream';
import { silentLogger } from '../../../app/shared/infra/logger';
import { connectNats } from '../../../app/shared/infra/nats';
import { outboxKey, toOutboxEntry } from '../../../app/shared/infra/outbox';
import { connectRedis, type Redis } from '../../../app/shared/infra/redis';
import { testEnv } from '../../support/test-env';

interface TestEvent {
  id: string;
  type: string;
  callId: string;
  n: number;
}

describe('integration: outbox publishing keeps each call\'s events in order', function () {
  this.timeout(30_000);
  let nc: NatsConnection;
  let js: JetStreamClient;
  let redis: Redis;

  before(async function () {
    nc = await connectNats(testEnv.natsUrl, 'outbox-order-test', silentLogger);
    js = nc.jetstream();
    redis = await connectRedis(testEnv.redisUrl, silentLogger);
    await ensureStreams(await nc.jetstreamManager());
  });

  after(async function () {
    await nc.close();
    await redis.quit();
  });

  // JetStream as the publisher sees it, except that the first publish of each event in `failOnce`
  // gets no acknowledgement (as under a timeout).
  function flakyJetStream(failOnce: Set<string>): JetStreamClient {
    const flaky = Object.create(js) as JetStreamClient;
    flaky.publish = (subject, data, options) => {
      if (options?.msgID && failOnce.delete(options.msgID)) return Promise.reject(new Error('no PubAck within 1000 ms'));
      return js.publish(subject, data, options);
    };
    return flaky;
  }

  async function streamOrder(subject: string, count: number): Promise<TestEvent[]> {
    const reader = await js.consumers.get(STREAMS.callEvents.name, { filterSubjects: subject });
    const events: TestEvent[] = [];
    for await (const message of await reader.consume({ max_messages: count })) {
      events.push(message.json<TestEvent>());
      if (events.length >= count) break;
    }
    return events;
  }

  it('given an event that fails in the middle of a batch, then none of its call\'s later events reach the stream before it; other calls go on', async function () {
    const subject = `call.v1.test-order-${randomUUID().slice(0, 8)}`;
    const instanceId = `test-${randomUUID()}`;
    const [a, b] = [randomUUID(), randomUUID()];
    const event = (callId: string, n: number): TestEvent => ({ id: randomUUID(), type: subject, callId, n });
    const queued = [event(a, 1), event(b, 1), event(a, 2), event(b, 2), event(a, 3), event(b, 3)];
    // All in the list before the publisher starts: one batch.
    await redis.rPush(outboxKey(instanceId), queued.map(toOutboxEntry));
    const publisher = new OutboxPublisher({ redis, js: flakyJetStream(new Set([queued[2]!.id])), instanceId, log: silentLogger, publishTimeoutMs: 1000, retryInitialMs: 50 });
    publisher.start();
    try {
      expect(await publisher.drained(10_000)).to.equal(true);
    } finally {
      await publisher.stop();
    }
    const published = await streamOrder(subject, queued.length);
    expect(published.filter((e) => e.callId === a).map((e) => e.n), 'call a').to.deep.equal([1, 2, 3]);
    expect(published.filter((e) => e.callId === b).map((e) => e.n), 'call b').to.deep.equal([1, 2, 3]);
    expect(published).to.have.length(queued.length);
  });
});
