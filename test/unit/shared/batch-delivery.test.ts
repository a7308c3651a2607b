import { expect } from 'chai';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { type BatchContext, processBatch } from '../../../app/shared/infra/jetstream/batch-delivery';
import { PermanentEventError } from '../../../app/shared/events';
import { silentLogger } from '../../../app/shared/infra/logger';
import { consumerMetrics, type DeadLetter, type Delivery } from '../../../app/shared/infra/jetstream/consumer-runner';

const Schema = z.object({ id: z.string(), n: z.number() });
type Event = z.infer<typeof Schema>;

interface FakeDelivery extends Delivery {
  id: string;
  calls: string[];
}

const journal: string[] = [];

function delivery(id: string, deliveryCount = 1, payload = JSON.stringify({ id, n: 1 })): FakeDelivery {
  const calls: string[] = [];
  const record = (what: string): void => {
    calls.push(what);
    journal.push(`${what} ${id}`);
  };
  return {
    id,
    calls,
    subject: 'call.v1.ended',
    data: new TextEncoder().encode(payload),
    deliveryCount,
    streamSeq: 1,
    ack: () => record('ack'),
    nak: (delayMs) => record(`nak ${delayMs}`),
    term: () => record('term'),
    working: () => record('working'),
  };
}

function context(handleBatch: (events: Event[]) => Promise<void>, handle: (event: Event) => Promise<void>) {
  const registry = new Registry();
  const letters: DeadLetter[] = [];
  const batches: string[][] = [];
  const ctx: BatchContext<Event> = {
    consumer: 'invoices',
    schema: Schema,
    handleBatch: (events) => {
      batches.push(events.map((event) => event.id));
      journal.push(`batch ${events.map((event) => event.id).join(',')}`);
      return handleBatch(events);
    },
    handle,
    maxDeliver: 3,
    retryDelayMs: (n) => n * 100,
    deadLetter: (letter) => Promise.resolve(void letters.push(letter)),
    metrics: consumerMetrics(registry),
    log: silentLogger,
    workingEveryMs: 60_000,
  };
  const count = async (name: string): Promise<number> => {
    const metric = await registry.getSingleMetric(name)?.get();
    return metric?.values.find((v) => v.labels.consumer === 'invoices')?.value ?? 0;
  };
  return { ctx, letters, batches, count };
}

const ok = (): Promise<void> => Promise.resolve();

describe('invoice consumer: batches of deliveries', function () {
  beforeEach(() => journal.splice(0));

  it('given a batch of valid events, then they are handled in one call and every message is acked after it resolved', async function () {
    const { ctx, batches, count } = context(ok, () => Promise.reject(new Error('no single path expected')));
    const deliveries = ['a', 'b', 'c'].map((id) => delivery(id));
    await processBatch(deliveries, ctx);
    expect(batches).to.deep.equal([['a', 'b', 'c']]);
    expect(journal).to.deep.equal(['batch a,b,c', 'ack a', 'ack b', 'ack c']);
    expect(await count('events_consumed_total')).to.equal(3);
  });

  it('given a redelivered message in a batch that succeeds, then it is counted as a redelivery', async function () {
    const { ctx, count } = context(ok, ok);
    await processBatch([delivery('a'), delivery('b', 3)], ctx);
    expect(await count('events_redelivered_total')).to.equal(1);
  });

  it('given a poison event in a batch, then the batch is applied in halves, the others are acked and the poison one is dead-lettered alone', async function () {
    const poison = (events: Event[]): Promise<void> => (events.some((event) => event.id === 'd') ? Promise.reject(new PermanentEventError('caller unknown')) : Promise.resolve());
    const singles: string[] = [];
    const { ctx, letters, batches } = context(poison, (event) => {
      singles.push(event.id);
      return poison([event]);
    });
    const deliveries = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((id) => delivery(id));
    await processBatch(deliveries, ctx);
    expect(batches).to.deep.equal([['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], ['a', 'b', 'c', 'd'], ['a', 'b'], ['c', 'd'], ['e', 'f', 'g', 'h']]);
    expect(singles).to.deep.equal(['c', 'd']);
    for (const d of deliveries) expect(d.calls, d.id).to.deep.equal(d.id === 'd' ? ['term'] : ['ack']);
    expect(letters.map((letter) => letter.eventId)).to.deep.equal(['d']);
    expect(letters[0]?.reason).to.equal('caller unknown');
  });

  it('given an event that fails transiently, then only that message is nak\'d for a redelivery and the others are acked', async function () {
    const flaky = (events: Event[]): Promise<void> => (events.some((event) => event.id === 'b') ? Promise.reject(new Error('lock timeout')) : Promise.resolve());
    const { ctx, letters } = context(flaky, (event) => flaky([event]));
    const deliveries = ['a', 'b', 'c'].map((id) => delivery(id));
    await processBatch(deliveries, ctx);
    expect(deliveries.map((d) => d.calls)).to.deep.equal([['ack'], ['nak 100'], ['ack']]);
    expect(letters).to.be.empty;
  });

  it('given a malformed message in a batch, then it is dead-lettered and the valid ones are applied as a batch', async function () {
    const { ctx, letters, batches } = context(ok, ok);
    const bad = delivery('x', 1, '{"id": "x", "n": "not a number"}');
    const deliveries = [delivery('a'), bad, delivery('c')];
    await processBatch(deliveries, ctx);
    expect(batches).to.deep.equal([['a', 'c']]);
    expect(bad.calls).to.deep.equal(['term']);
    expect(letters[0]?.reason).to.match(/^invalid event: n:/);
    expect(deliveries[0]!.calls).to.deep.equal(['ack']);
  });

  it('given partitions by key, then events of one key share a transaction and the partitions run concurrently', async function () {
    let running = 0;
    let overlapped = false;
    const { ctx, batches } = context(async () => {
      running += 1;
      if (running > 1) overlapped = true;
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
    }, ok);
    ctx.partitionOf = (event) => `caller-${event.n}`;
    ctx.partitions = 2;
    const keyed = (id: string, n: number): FakeDelivery => delivery(id, 1, JSON.stringify({ id, n }));
    const deliveries = [keyed('a', 1), keyed('b', 2), keyed('c', 1), keyed('d', 2), keyed('e', 3), keyed('f', 3)];
    await processBatch(deliveries, ctx);
    expect(overlapped).to.be.true;
    const callerOf: Record<string, number> = { a: 1, b: 2, c: 1, d: 2, e: 3, f: 3 };
    expect(batches).to.have.length(2);
    for (const n of [1, 2, 3]) expect(batches.filter((batch) => batch.some((id) => callerOf[id] === n)), `caller ${n}`).to.have.length(1);
    expect(batches.flat()).to.have.members(['a', 'b', 'c', 'd', 'e', 'f']);
    for (const d of deliveries) expect(d.calls).to.deep.equal(['ack']);
  });

  it('given a batch of one, then it takes the single path directly', async function () {
    const singles: string[] = [];
    const { ctx, batches } = context(ok, (event) => Promise.resolve(void singles.push(event.id)));
    await processBatch([delivery('a')], ctx);
    expect(batches).to.be.empty;
    expect(singles).to.deep.equal(['a']);
  });
});
