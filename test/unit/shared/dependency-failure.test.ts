import { expect } from 'chai';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { PermanentEventError } from '../../../app/shared/events';
import { silentLogger } from '../../../app/shared/infra/logger';
import { processBatch } from '../../../app/shared/infra/jetstream/batch-delivery';
import { consumerMetrics, type DeadLetter, type Delivery, type DeliveryContext, processDelivery } from '../../../app/shared/infra/jetstream/consumer-runner';
import { isDependencyFailure } from '../../../app/shared/infra/jetstream/dependency-failure';
import { DependencyUnavailableError } from '../../../app/shared/kernel';

const Schema = z.object({ id: z.string() });
type Event = z.infer<typeof Schema>;

const withCode = (message: string, code: string): Error => Object.assign(new Error(message), { code });
const named = (name: string, message: string): Error => Object.assign(new Error(message), { name });

interface FakeDelivery extends Delivery {
  calls: string[];
}

function delivery(id: string, deliveryCount: number, streamSeq = 7): FakeDelivery {
  const calls: string[] = [];
  return {
    calls,
    subject: 'call.v1.ended',
    data: new TextEncoder().encode(JSON.stringify({ id })),
    deliveryCount,
    streamSeq,
    ack: () => calls.push('ack'),
    nak: (delayMs) => calls.push(`nak ${delayMs}`),
    term: () => calls.push('term'),
    working: () => undefined,
  };
}

function context(handle: (event: Event) => Promise<void>, handleBatch: (events: Event[]) => Promise<void> = () => Promise.resolve()) {
  const letters: DeadLetter[] = [];
  const registry = new Registry();
  const ctx: DeliveryContext<Event> & { handleBatch: (events: Event[]) => Promise<void> } = {
    consumer: 'invoices',
    schema: Schema,
    handle,
    handleBatch,
    maxDeliver: 3,
    retryDelayMs: (n) => Math.min(1000 * 2 ** (n - 1), 15_000),
    deadLetter: (letter) => Promise.resolve(void letters.push(letter)),
    metrics: consumerMetrics(registry),
    log: silentLogger,
    workingEveryMs: 60_000,
    dependencyFailures: new Map(),
  };
  const retries = async (): Promise<number> => (await registry.getSingleMetric('events_dependency_retries_total')?.get())?.values[0]?.value ?? 0;
  return { ctx, letters, retries };
}

describe('consumers: a dependency down is not a bad event', function () {
  it('tells dependency failures (PostgreSQL, Prisma, Redis, sockets, wrapped) from an event failing for its own reason', function () {
    const down = [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode("Can't reach database server at 127.0.0.1:5432", 'P1001'),
      new Error('Connection terminated unexpectedly'),
      named('ClientClosedError', 'The client is closed'),
      new DependencyUnavailableError('billing'),
      new Error('settle failed', { cause: withCode('read ECONNRESET', 'ECONNRESET') }),
      new AggregateError([withCode('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''),
    ];
    const own = [new Error('lock timeout'), new PermanentEventError('unknown user'), withCode('duplicate key value violates unique constraint', '23505'), new TypeError('x is undefined'), 'a string'];
    expect(down.map(isDependencyFailure)).to.deep.equal(down.map(() => true));
    expect(own.map(isDependencyFailure)).to.deep.equal(own.map(() => false));
  });

  it('given PostgreSQL refusing connections far past the delivery limit, then the event is redelivered every 15 s at most and never dead-lettered', async function () {
    const { ctx, letters, retries } = context(() => Promise.reject(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')));
    const delays: string[] = [];
    for (const count of [1, 2, 3, 10, 60]) {
      const d = delivery('ev-1', count);
      expect(await processDelivery(d, ctx)).to.equal('retry');
      delays.push(...d.calls);
    }
    expect(delays).to.deep.equal(['nak 1000', 'nak 2000', 'nak 4000', 'nak 15000', 'nak 15000']);
    expect(letters).to.deep.equal([]);
    expect(await retries()).to.equal(5);
  });

  it('given an event that fails for its own reason after an outage, then it gets its full tries before it is dead-lettered', async function () {
    const down = withCode('Connection terminated unexpectedly', '08006');
    let failure: Error = down;
    const { ctx, letters } = context(() => Promise.reject(failure));
    for (let count = 1; count <= 20; count += 1) await processDelivery(delivery('ev-2', count), ctx);
    failure = new Error('statement line rejected');
    expect(await processDelivery(delivery('ev-2', 21), ctx)).to.equal('retry');
    expect(await processDelivery(delivery('ev-2', 22), ctx)).to.equal('retry');
    expect(letters).to.deep.equal([]);
    expect(await processDelivery(delivery('ev-2', 23), ctx)).to.equal('dead-lettered');
    expect(letters[0]?.reason).to.contain('statement line rejected').and.contain('3 deliveries');
  });

  it('given a batch failing because the database is down, then every message is redelivered later and the batch is not split', async function () {
    let batchCalls = 0;
    const { ctx, letters } = context(
      () => Promise.reject(new Error('should not be called one by one')),
      () => {
        batchCalls += 1;
        return Promise.reject(withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'));
      },
    );
    const deliveries = ['a', 'b', 'c', 'd'].map((id, i) => delivery(id, 1, i + 1));
    await processBatch(deliveries, ctx);
    expect(batchCalls).to.equal(1);
    expect(deliveries.map((d) => d.calls)).to.deep.equal(deliveries.map(() => ['nak 1000']));
    expect(letters).to.deep.equal([]);
  });
});
