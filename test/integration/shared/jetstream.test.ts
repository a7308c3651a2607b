import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { deadLetterSubject, PermanentEventError, STREAMS } from '../../../app/shared/events';
import { connectNats } from '../../../app/shared/infra/nats';
import { silentLogger } from '../../../app/shared/infra/logger';
import { outboxKey } from '../../../app/shared/infra/outbox';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { connectRedis, type Redis } from '../../../app/shared/infra/redis';
import {
  applyOnce,
  type ConsumerDefinition,
  type DeadLetter,
  type DeliveryMeta,
  ensureConsumer,
  ensureStreams,
  type EventTransaction,
  malformedOutboxKey,
  OutboxPublisher,
  type RunningConsumer,
  startConsumer,
} from '../../../app/shared/infra/jetstream';
import { PROJECT_ROOT, testEnv } from '../../support/test-env';

const run = promisify(execFile);
const profile = process.env.TEST_PROFILE ?? 'test';
const stack = async (action: 'stop' | 'start'): Promise<void> => {
  await run('scripts/stack.sh', [profile, action, 'nats'], { cwd: PROJECT_ROOT });
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const TestEventSchema = z.object({ id: z.string(), type: z.string(), n: z.number().int() });
type TestEvent = z.infer<typeof TestEventSchema>;

describe('integration: event infrastructure over JetStream', function () {
  this.timeout(60_000);
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let redis: Redis;
  let db: Database;
  const publishers: OutboxPublisher[] = [];
  const consumers: RunningConsumer[] = [];
  const durables: ConsumerDefinition[] = [];

  // Every test has its own subject under call.v1.> (CALL_EVENTS) and its own durable consumer.
  const testSubject = (): string => `call.v1.test-${randomUUID().slice(0, 8)}`;
  const event = (subject: string, n: number, id: string = randomUUID()): TestEvent => ({ id, type: subject, n });

  function publisher(options: { idlePollMs?: number } = {}): OutboxPublisher {
    const p = new OutboxPublisher({ redis, js, instanceId: `test-${randomUUID()}`, log: silentLogger, publishTimeoutMs: 1000, retryMaxMs: 500, ...options });
    publishers.push(p);
    p.start();
    return p;
  }

  async function durable(subject: string): Promise<ConsumerDefinition> {
    const def = { name: `test-${randomUUID().slice(0, 8)}`, stream: STREAMS.callEvents.name, filterSubject: subject };
    await ensureConsumer(jsm, def, { ackWaitMs: 3000 });
    durables.push(def);
    return def;
  }

  function consume(def: ConsumerDefinition, handle: (e: TestEvent, meta: DeliveryMeta) => Promise<void>, metrics?: Registry): RunningConsumer {
    const c = startConsumer({ js, consumer: def, schema: TestEventSchema, handle, log: silentLogger, maxDeliver: 5, retryDelayMs: () => 100, metrics });
    consumers.push(c);
    return c;
  }

  // Every message on a subject, in stream order, read with an ordered (ephemeral) consumer.
  async function messagesOn(stream: string, subject: string): Promise<Array<{ data: string; seq: number }>> {
    const info = await jsm.streams.info(stream, { subjects_filter: subject });
    const total = info.state.subjects?.[subject] ?? 0;
    if (total === 0) return [];
    const reader = await js.consumers.get(stream, { filterSubjects: subject });
    const out: Array<{ data: string; seq: number }> = [];
    const batch = await reader.consume({ max_messages: 100 });
    for await (const msg of batch) {
      out.push({ data: msg.string(), seq: msg.seq });
      if (out.length >= total) break;
    }
    return out;
  }

  const idsOn = async (subject: string): Promise<string[]> =>
    (await messagesOn(STREAMS.callEvents.name, subject)).map((m) => (JSON.parse(m.data) as TestEvent).id);

  // An effect row per application of an event: counts how often the work really ran.
  const effect = async (tx: EventTransaction, consumer: string, eventId: string): Promise<void> => {
    await tx.processedEvent.create({ data: { consumer: `${consumer}:effect`, eventId: `${eventId.slice(0, 36)}:${randomUUID().slice(0, 8)}` } });
  };
  const effects = (consumer: string, eventId: string): Promise<number> =>
    db.processedEvent.count({ where: { consumer: `${consumer}:effect`, eventId: { startsWith: `${eventId.slice(0, 36)}:` } } });

  async function counter(registry: Registry, name: string, consumer: string): Promise<number> {
    const metric = await registry.getSingleMetric(name)?.get();
    return metric?.values.find((v) => v.labels.consumer === consumer)?.value ?? 0;
  }

  before(async function () {
    nc = await connectNats(testEnv.natsUrl, 'jetstream-test', silentLogger);
    js = nc.jetstream();
    jsm = await nc.jetstreamManager();
    redis = await connectRedis(testEnv.redisUrl, silentLogger);
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 4 });
    await ensureStreams(jsm);
  });

  afterEach(async function () {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
    await Promise.all(publishers.splice(0).map((p) => p.stop()));
  });

  after(async function () {
    for (const def of durables) await jsm.consumers.delete(def.stream, def.name);
    await nc.close();
    await redis.quit();
    await db.$disconnect();
  });

  it('given the streams already exist, when they are ensured again, then nothing changes and no error is raised', async function () {
    await ensureStreams(jsm);
    const info = await jsm.streams.info(STREAMS.deadLetters.name);
    expect(info.config.duplicate_window).to.equal(10 * 60 * 1_000_000_000);
  });

  it('given an event published twice through the outbox, then the stream holds it once, in order with the others', async function () {
    const subject = testSubject();
    const outbox = publisher();
    const events = [event(subject, 1), event(subject, 2), event(subject, 3)];
    await outbox.publish(events[0]!);
    await outbox.publish(events[1]!);
    await outbox.publish(events[0]!); // the same event again
    await outbox.publish(events[2]!);
    expect(await outbox.drained(10_000)).to.be.true;
    expect(await outbox.pending()).to.equal(0);
    expect(await idsOn(subject)).to.deep.equal(events.map((e) => e.id));
  });

  it('given an idle publisher that would look for entries only once a minute, when an event is published through it, then it is sent at once, not at the next look', async function () {
    const subject = testSubject();
    const outbox = publisher({ idlePollMs: 60_000 });
    await sleep(100); // idle: its one look at start is over
    await outbox.publish(event(subject, 1));
    // Well before the next look: only the wake-up of publish() can have sent it (how fast is bench material).
    expect(await outbox.drained(5000)).to.be.true;
    expect(await idsOn(subject)).to.have.length(1);
  });

  it('given a malformed outbox entry, then it is moved aside and the entries behind it are published', async function () {
    const subject = testSubject();
    const instanceId = `test-${randomUUID()}`;
    const outbox = new OutboxPublisher({ redis, js, instanceId, log: silentLogger });
    publishers.push(outbox);
    const good = event(subject, 1);
    await redis.rPush(outboxKey(instanceId), ['{"subject": 42}', 'not json']);
    outbox.start();
    await outbox.publish(good);
    expect(await outbox.drained(5000)).to.be.true;
    expect(await idsOn(subject)).to.deep.equal([good.id]);
    expect(await redis.lRange(malformedOutboxKey(instanceId), 0, -1)).to.deep.equal(['{"subject": 42}', 'not json']);
    await redis.del(malformedOutboxKey(instanceId));
  });

  it('given NATS stops while events are being published and starts again, then every event arrives exactly once', async function () {
    const subject = testSubject();
    const outbox = publisher();
    const sent: string[] = [];
    let publishing = true;
    const producer = (async () => {
      for (let n = 0; publishing; n += 1) {
        const e = event(subject, n);
        await outbox.publish(e);
        sent.push(e.id);
        await sleep(5);
      }
    })();
    await sleep(300);
    await stack('stop');
    const sentBeforeStop = sent.length;
    await sleep(1000);
    expect(await outbox.pending()).to.be.above(0); // accepted while NATS was down
    await stack('start');
    await sleep(300);
    publishing = false;
    await producer;
    expect(sent.length).to.be.above(sentBeforeStop);
    expect(await outbox.drained(30_000)).to.be.true;
    const stored = await idsOn(subject);
    expect(stored).to.have.length(sent.length);
    expect(new Set(stored).size).to.equal(sent.length);
    expect(stored).to.have.members(sent);
  });

  it('given a handler that fails twice and then succeeds, then the event is redelivered, applied once and acked', async function () {
    const subject = testSubject();
    const def = await durable(subject);
    const registry = new Registry();
    const deliveries: number[] = [];
    const results: boolean[] = [];
    consume(
      def,
      async (e, meta) => {
        deliveries.push(meta.deliveryCount);
        results.push(
          await applyOnce(db, def.name, e.id, async (tx) => {
            await effect(tx, def.name, e.id);
            if (meta.deliveryCount < 3) throw new Error('database hiccup');
          }),
        );
      },
      registry,
    );
    const e = event(subject, 1);
    await js.publish(subject, JSON.stringify(e), { msgID: e.id });
    await eventually(() => results.includes(true), 10_000, 'the event to be applied');
    expect(deliveries).to.deep.equal([1, 2, 3]);
    expect(await effects(def.name, e.id)).to.equal(1); // the failed attempts rolled back
    expect(await db.processedEvent.count({ where: { consumer: def.name, eventId: e.id } })).to.equal(1);
    await eventually(async () => (await jsm.consumers.info(def.stream, def.name)).num_ack_pending === 0, 5000, 'the ack');
    const info = await jsm.consumers.info(def.stream, def.name);
    expect(info.num_pending).to.equal(0);
    expect(info.num_redelivered).to.equal(0);
    expect(await counter(registry, 'events_redelivered_total', def.name)).to.equal(2);
    expect(await counter(registry, 'events_consumed_total', def.name)).to.equal(1);
  });

  it('given a malformed message and a handler throwing PermanentEventError, then both are dead-lettered with the reason, counted, and not redelivered', async function () {
    const subject = testSubject();
    const def = await durable(subject);
    const registry = new Registry();
    const calls: string[] = [];
    consume(
      def,
      async (e) => {
        calls.push(e.id);
        await Promise.resolve();
        throw new PermanentEventError('caller unknown to billing');
      },
      registry,
    );
    const doomed = event(subject, 1);
    await js.publish(subject, '{"id": "half', { msgID: randomUUID() });
    await js.publish(subject, JSON.stringify(doomed), { msgID: doomed.id });

    await eventually(async () => (await counter(registry, 'events_dead_lettered_total', def.name)) === 2, 10_000, 'two dead letters');
    const letters = (await messagesOn(STREAMS.deadLetters.name, deadLetterSubject(def.name))).map((m) => JSON.parse(m.data) as DeadLetter);
    expect(letters).to.have.length(2);
    expect(letters[0]).to.include({ consumer: def.name, subject, deliveries: 1, data: '{"id": "half' });
    expect(letters[0]?.reason).to.match(/^invalid JSON/);
    expect(letters[1]).to.include({ consumer: def.name, subject, eventId: doomed.id, reason: 'caller unknown to billing', deliveries: 1 });

    await sleep(1500); // well past the retry delay: a redelivery would have shown by now
    expect(calls).to.deep.equal([doomed.id]);
    const info = await jsm.consumers.info(def.stream, def.name);
    expect(info.num_ack_pending).to.equal(0);
    expect(info.num_pending).to.equal(0);
  });

  it('given the same event delivered twice, then applyOnce applies it once', async function () {
    const subject = testSubject();
    const def = await durable(subject);
    const results: boolean[] = [];
    consume(def, async (e) => {
      results.push(await applyOnce(db, def.name, e.id, (tx) => effect(tx, def.name, e.id)));
    });
    const e = event(subject, 7);
    // Two message ids for one event: what a republish after the duplicate window looks like.
    await js.publish(subject, JSON.stringify(e), { msgID: `${e.id}-first` });
    await js.publish(subject, JSON.stringify(e), { msgID: `${e.id}-again` });
    await eventually(() => results.length === 2, 10_000, 'both deliveries');
    expect(results).to.deep.equal([true, false]);
    expect(await effects(def.name, e.id)).to.equal(1);
  });

  it('given two concurrent applications of one event, then one applies and the other skips', async function () {
    const consumer = `test-${randomUUID().slice(0, 8)}`;
    const eventId = randomUUID();
    const work = async (tx: EventTransaction): Promise<void> => {
      await effect(tx, consumer, eventId);
      await sleep(100);
    };
    const results = await Promise.all([applyOnce(db, consumer, eventId, work), applyOnce(db, consumer, eventId, work)]);
    expect(results).to.have.members([true, false]);
    expect(await effects(consumer, eventId)).to.equal(1);
  });

  it('given NATS restarts, then the consumer keeps consuming and applies every event once', async function () {
    const subject = testSubject();
    const def = await durable(subject);
    const applied: string[] = [];
    const c = consume(def, async (e) => {
      if (await applyOnce(db, def.name, e.id, (tx) => effect(tx, def.name, e.id))) applied.push(e.id);
    });
    await c.ready;
    const outbox = publisher();
    const before = [1, 2, 3].map((n) => event(subject, n));
    for (const e of before) await outbox.publish(e);
    await eventually(() => applied.length === 3, 10_000, 'the events before the restart');

    await stack('stop');
    const after = [4, 5, 6].map((n) => event(subject, n));
    for (const e of after) await outbox.publish(e); // queued in Redis meanwhile
    await stack('start');

    await eventually(() => applied.length === 6, 30_000, 'the events after the restart');
    expect(applied).to.deep.equal([...before, ...after].map((e) => e.id));
    await sleep(500);
    expect(applied).to.have.length(6);
  });

  it('given NATS is down when a consumer starts, then it starts pulling once NATS is back', async function () {
    const subject = testSubject();
    const def = await durable(subject);
    const e = event(subject, 1);
    await js.publish(subject, JSON.stringify(e), { msgID: e.id });
    await stack('stop');
    const seen: string[] = [];
    const c = consume(def, (received) => Promise.resolve(void seen.push(received.id)));
    await sleep(1000);
    expect(seen).to.be.empty;
    await stack('start');
    await c.ready;
    await eventually(() => seen.length === 1, 15_000, 'the event');
    expect(seen).to.deep.equal([e.id]);
  });
});
