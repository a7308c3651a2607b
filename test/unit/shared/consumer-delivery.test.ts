import { expect } from 'chai';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { PermanentEventError } from '../../../app/shared/events';
import { silentLogger } from '../../../app/shared/infra/logger';
import { consumerMetrics, type DeadLetter, type Delivery, type DeliveryContext, processDelivery } from '../../../app/shared/infra/jetstream/consumer-runner';

const Schema = z.object({ id: z.string(), amount: z.number() });
type Event = z.infer<typeof Schema>;

interface FakeDelivery extends Delivery {
  calls: string[];
}

function delivery(payload: string, deliveryCount = 1): FakeDelivery {
  const calls: string[] = [];
  return {
    calls,
    subject: 'call.v1.ended',
    data: new TextEncoder().encode(payload),
    deliveryCount,
    streamSeq: 42,
    ack: () => calls.push('ack'),
    nak: (delayMs) => calls.push(`nak ${delayMs}`),
    term: () => calls.push('term'),
    working: () => calls.push('working'),
  };
}

function context(handle: (event: Event) => Promise<void>, overrides: Partial<DeliveryContext<Event>> = {}) {
  const registry = new Registry();
  const letters: Array<{ letter: DeadLetter; msgId: string }> = [];
  const ctx: DeliveryContext<Event> = {
    consumer: 'billing',
    schema: Schema,
    handle,
    maxDeliver: 3,
    retryDelayMs: (n) => n * 100,
    deadLetter: (letter, msgId) => {
      letters.push({ letter, msgId });
      return Promise.resolve();
    },
    metrics: consumerMetrics(registry),
    log: silentLogger,
    workingEveryMs: 60_000,
    ...overrides,
  };
  const count = async (name: string): Promise<number> => {
    const metric = await registry.getSingleMetric(name)?.get();
    return metric?.values.find((v) => v.labels.consumer === 'billing')?.value ?? 0;
  };
  return { ctx, letters, count };
}

const valid = JSON.stringify({ id: 'ev-1', amount: 5 });

describe('consumer runner: one delivery', function () {
  it('given a valid event, when the handler resolves, then it is acked and counted as consumed', async function () {
    const seen: Event[] = [];
    const { ctx, letters, count } = context((event) => Promise.resolve(void seen.push(event)));
    const d = delivery(valid);
    expect(await processDelivery(d, ctx)).to.equal('acked');
    expect(seen).to.deep.equal([{ id: 'ev-1', amount: 5 }]);
    expect(d.calls).to.deep.equal(['ack']);
    expect(letters).to.be.empty;
    expect(await count('events_consumed_total')).to.equal(1);
  });

  it('given the handler has not resolved yet, then nothing is acked before it resolves', async function () {
    let finish: () => void = () => undefined;
    const { ctx } = context(() => new Promise<void>((resolve) => (finish = resolve)));
    const d = delivery(valid);
    const outcome = processDelivery(d, ctx);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(d.calls).to.deep.equal([]);
    finish();
    expect(await outcome).to.equal('acked');
    expect(d.calls).to.deep.equal(['ack']);
  });

  it('given a handler that fails before the last attempt, then the message is nakked with a delay by delivery count', async function () {
    const { ctx, letters } = context(() => Promise.reject(new Error('database down')));
    const d = delivery(valid, 2);
    expect(await processDelivery(d, ctx)).to.equal('retry');
    expect(d.calls).to.deep.equal(['nak 200']);
    expect(letters).to.be.empty;
  });

  it('given a redelivery, then it is counted as redelivered', async function () {
    const { ctx, count } = context(() => Promise.resolve());
    await processDelivery(delivery(valid, 2), ctx);
    expect(await count('events_redelivered_total')).to.equal(1);
  });

  it('given a handler that still fails on the last attempt, then the event is dead-lettered with the last error and terminated', async function () {
    const { ctx, letters, count } = context(() => Promise.reject(new Error('still down')));
    const d = delivery(valid, 3);
    expect(await processDelivery(d, ctx)).to.equal('dead-lettered');
    expect(d.calls).to.deep.equal(['term']);
    expect(letters).to.have.length(1);
    expect(letters[0]?.msgId).to.equal('billing:ev-1');
    expect(letters[0]?.letter).to.include({ consumer: 'billing', subject: 'call.v1.ended', eventId: 'ev-1', deliveries: 3, streamSeq: 42, data: valid });
    expect(letters[0]?.letter.reason).to.contain('still down').and.contain('3 deliveries');
    expect(await count('events_dead_lettered_total')).to.equal(1);
  });

  it('given a PermanentEventError on the first attempt, then it is dead-lettered at once and not redelivered', async function () {
    const { ctx, letters } = context(() => Promise.reject(new PermanentEventError('unknown user')));
    const d = delivery(valid, 1);
    expect(await processDelivery(d, ctx)).to.equal('dead-lettered');
    expect(d.calls).to.deep.equal(['term']);
    expect(letters[0]?.letter.reason).to.equal('unknown user');
  });

  it('given a payload that is not JSON, then the handler is not called and it is dead-lettered under its stream sequence', async function () {
    let called = false;
    const { ctx, letters } = context(() => Promise.resolve(void (called = true)));
    const d = delivery('{not json');
    expect(await processDelivery(d, ctx)).to.equal('dead-lettered');
    expect(called).to.be.false;
    expect(letters[0]?.msgId).to.equal('billing:seq-42');
    expect(letters[0]?.letter.reason).to.match(/^invalid JSON/);
    expect(letters[0]?.letter.eventId).to.be.undefined;
    expect(letters[0]?.letter.data).to.equal('{not json');
  });

  it('given JSON that fails the schema, then it is dead-lettered with the failing field and its event id', async function () {
    const { ctx, letters } = context(() => Promise.resolve());
    const d = delivery(JSON.stringify({ id: 'ev-2', amount: 'five' }));
    expect(await processDelivery(d, ctx)).to.equal('dead-lettered');
    expect(letters[0]?.msgId).to.equal('billing:ev-2');
    expect(letters[0]?.letter.reason).to.match(/^invalid event: amount:/);
  });

  it('given the dead-letter publish fails, then the message is nakked, not terminated, and not counted', async function () {
    const { ctx, count } = context(() => Promise.reject(new PermanentEventError('bad')), {
      deadLetter: () => Promise.reject(new Error('nats down')),
    });
    const d = delivery(valid, 1);
    expect(await processDelivery(d, ctx)).to.equal('retry');
    expect(d.calls).to.deep.equal(['nak 100']);
    expect(await count('events_dead_lettered_total')).to.equal(0);
  });

  it('given a slow handler, then the server is told it is still working', async function () {
    const { ctx } = context(() => new Promise((resolve) => setTimeout(resolve, 35)), { workingEveryMs: 10 });
    const d = delivery(valid);
    await processDelivery(d, ctx);
    expect(d.calls.filter((c) => c === 'working').length).to.be.at.least(2);
    expect(d.calls.at(-1)).to.equal('ack');
  });

  it('given two consumers on one registry, then the counters are registered once and labelled per consumer', function () {
    const registry = new Registry();
    const a = consumerMetrics(registry);
    const b = consumerMetrics(registry);
    expect(a.consumed).to.equal(b.consumed);
    expect(registry.getMetricsAsArray().map((m) => m.name)).to.have.members([
      'events_consumed_total',
      'events_redelivered_total',
      'events_dead_lettered_total',
      'events_retried_in_place_total',
      'consumer_held_up_seconds',
      'consumer_backlog_messages',
      'events_dependency_retries_total',
    ]);
  });
});

describe('consumer runner: retry in place (events that must be neither lost nor reordered)', function () {
  const sleeps: number[] = [];
  const control = (stopping = () => false) => ({ stopping, sleep: (ms: number) => Promise.resolve(void sleeps.push(ms)) });
  beforeEach(() => sleeps.splice(0));

  it('given a handler failing far more often than the delivery limit, then the event is retried where it is with the capped backoff until it succeeds, never dead-lettered', async function () {
    let attempts = 0;
    const { ctx, letters, count } = context(() => (++attempts < 12 ? Promise.reject(new Error('database unavailable')) : Promise.resolve()), {
      retryDelayMs: (n) => Math.min(100 * 2 ** (n - 1), 3000),
      retryInPlace: control(),
    });
    const d = delivery(valid);
    expect(await processDelivery(d, ctx)).to.equal('acked');
    expect(attempts).to.equal(12);
    expect(d.calls.filter((c) => c !== 'working')).to.deep.equal(['ack']);
    expect(sleeps).to.deep.equal([100, 200, 400, 800, 1600, 3000, 3000, 3000, 3000, 3000, 3000]);
    expect(letters).to.deep.equal([]);
    expect(await count('events_retried_in_place_total')).to.equal(11);
    expect(await count('consumer_held_up_seconds'), 'back to 0 once handled').to.equal(0);
  });

  it('given the consumer stopping while an event keeps failing, then it goes back to the server at once, not dead-lettered', async function () {
    let stopping = false;
    const { ctx, letters } = context(() => {
      stopping = true;
      return Promise.reject(new Error('database unavailable'));
    }, { retryInPlace: control(() => stopping) });
    const d = delivery(valid);
    expect(await processDelivery(d, ctx)).to.equal('retry');
    expect(d.calls.filter((c) => c !== 'working')).to.deep.equal(['nak 0']);
    expect(letters).to.deep.equal([]);
  });

  it('given a permanent error, then it is still dead-lettered at once', async function () {
    const { ctx, letters } = context(() => Promise.reject(new PermanentEventError('no such thing')), { retryInPlace: control() });
    const d = delivery(valid);
    expect(await processDelivery(d, ctx)).to.equal('dead-lettered');
    expect(letters[0]?.letter.reason).to.equal('no such thing');
    expect(sleeps).to.deep.equal([]);
  });
});
