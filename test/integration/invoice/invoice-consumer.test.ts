import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { connect, type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { Registry } from 'prom-client';
import { type CallSettlement, createInvoiceModule, invoiceConsumer, type InvoiceService } from '../../../app/invoice';
import { CallEndedSchema, type CallEnded, deadLetterSubject, PermanentEventError, STREAMS } from '../../../app/shared/events';
import { type ConsumerDefinition, type DeadLetter, ensureConsumer, ensureStreams, type RunningConsumer, startBatchConsumer } from '../../../app/shared/infra/jetstream';
import { silentLogger } from '../../../app/shared/infra/logger';
import { connectNats, natsConnectOptions } from '../../../app/shared/infra/nats';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { testEnv } from '../../support/test-env';
import { billingFixture, type BillingFixture } from './billing-fixture';
import { chargesOf, endedCall, eventually, faulty, linesOf, restartNats, sleep } from './support';

// The invoice pipeline against real NATS JetStream and PostgreSQL: call.v1.ended -> durable
// consumer -> billing's settle + invoice line in one transaction -> ack. Every test has its own
// subject and durable consumer; what it asserts is counted in the database.
describe('integration: invoice consumer (JetStream -> settle + invoice line -> ack)', function () {
  this.timeout(120_000);
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let db: Database;
  let billing: BillingFixture;
  const consumers: RunningConsumer[] = [];
  const durables: ConsumerDefinition[] = [];
  const connections: NatsConnection[] = [];
  // Handlers a test left hanging on purpose: released before the consumers are stopped.
  const releases: Array<() => void> = [];

  async function durable(ackWaitMs = 5000): Promise<ConsumerDefinition> {
    const tag = randomUUID().slice(0, 8);
    const def = { name: `test-invoices-${tag}`, stream: STREAMS.callEvents.name, filterSubject: `call.v1.test-invoices-${tag}` };
    await ensureConsumer(jsm, def, { ackWaitMs });
    durables.push(def);
    return def;
  }

  const invoicesFor = (def: ConsumerDefinition, settlement: CallSettlement = billing.settlement): InvoiceService =>
    createInvoiceModule({ db, settlement, log: silentLogger, consumerName: def.name });

  function consume(def: ConsumerDefinition, invoices: InvoiceService, metrics?: Registry, client: JetStreamClient = js): RunningConsumer {
    const c = startBatchConsumer({ js: client, consumer: def, log: silentLogger, maxDeliver: 10, retryDelayMs: () => 300, ...(metrics ? { metrics } : {}), ...invoiceConsumer(invoices, { batchSize: 50 }) });
    consumers.push(c);
    return c;
  }

  const publish = async (def: ConsumerDefinition, event: CallEnded, msgID = event.id): Promise<void> => {
    await js.publish(def.filterSubject, JSON.stringify(event), { msgID });
  };

  async function settled(def: ConsumerDefinition): Promise<boolean> {
    const info = await jsm.consumers.info(def.stream, def.name);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  }

  const processed = (def: ConsumerDefinition): Promise<number> => db.processedEvent.count({ where: { consumer: def.name } });

  async function counter(registry: Registry, name: string, consumer: string): Promise<number> {
    const metric = await registry.getSingleMetric(name)?.get();
    return metric?.values.find((v) => v.labels.consumer === consumer)?.value ?? 0;
  }

  async function expectOnce(events: CallEnded[]): Promise<void> {
    for (const event of events) {
      expect(await linesOf(db, event.callId), `lines of ${event.callId}`).to.equal(1);
      expect(await chargesOf(db, event.callId), `charges of ${event.callId}`).to.equal(1);
    }
  }

  before(async function () {
    nc = await connectNats(testEnv.natsUrl, 'invoice-consumer-test', silentLogger);
    js = nc.jetstream();
    jsm = await nc.jetstreamManager();
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 6 });
    await ensureStreams(jsm);
    billing = await billingFixture(db);
  });

  afterEach(async function () {
    for (const release of releases.splice(0)) release();
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
    await Promise.all(connections.splice(0).map((c) => c.close()));
  });

  after(async function () {
    for (const def of durables) await jsm.consumers.delete(def.stream, def.name).catch(() => undefined);
    await nc?.close();
    await db?.$disconnect();
  });

  it('given ended calls, then each becomes one line of its user statement, with the charge billing made, and every message is acked', async function () {
    const def = await durable();
    const user = await billing.newUser();
    const events = [endedCall(user, { talkSeconds: 61 }), endedCall(user, { talkSeconds: 5 }), endedCall(user, { answered: false })];
    for (const event of events) await billing.prepare(event);
    for (const event of events) await publish(def, event);
    consume(def, invoicesFor(def));
    await eventually(() => settled(def), 15_000, 'every message acked');
    await expectOnce(events.slice(0, 2));
    expect(await linesOf(db, events[2]!.callId)).to.equal(0);
    const invoice = await db.invoice.findFirstOrThrow({ where: { userId: user } });
    const lines = await db.invoiceLine.findMany({ where: { invoiceId: invoice.id } });
    expect(invoice.lineCount).to.equal(2);
    expect(invoice.totalMinor).to.equal(lines.reduce((sum, line) => sum + line.amountMinor, 0n));
    expect(lines.map((line) => line.talkSeconds)).to.have.members([61, 5]);
  });

  it('given an ended call republished with another message id (after the duplicate window), then it has one line and one charge', async function () {
    const def = await durable();
    const user = await billing.newUser();
    const event = endedCall(user);
    await billing.prepare(event);
    await publish(def, event, `${event.id}-first`);
    await publish(def, event, `${event.id}-again`);
    await publish(def, event, `${event.id}-again`); // inside the window: JetStream drops it
    consume(def, invoicesFor(def));
    await eventually(() => settled(def), 15_000, 'both messages acked');
    expect((await jsm.consumers.info(def.stream, def.name)).delivered.stream_seq).to.be.at.least(2);
    await expectOnce([event]);
    expect(await processed(def)).to.equal(1);
  });

  it('given billing fails for a call, then the rest of its batch is applied at once and the call is redelivered and applied once', async function () {
    const def = await durable();
    const user = await billing.newUser();
    const events = Array.from({ length: 8 }, () => endedCall(user));
    for (const event of events) await billing.prepare(event);
    const victim = events[3]!;
    // More failures than the batch halvings try: the message is nak'd and comes back.
    const failures = new Map([[victim.callId, 6]]);
    const registry = new Registry();
    for (const event of events) await publish(def, event);
    consume(def, invoicesFor(def, faulty(billing.settlement, failures)), registry);
    await eventually(async () => (await linesOf(db, events[0]!.callId)) === 1, 10_000, 'the healthy calls');
    await eventually(() => settled(def), 30_000, 'every message acked');
    expect(failures.get(victim.callId)).to.equal(0);
    expect(await counter(registry, 'events_redelivered_total', def.name)).to.be.at.least(1);
    await expectOnce(events);
  });

  it('given the consumer stops after its commit and before its ack (the process dies), then the redelivery to a new consumer adds nothing', async function () {
    const def = await durable(2000);
    const user = await billing.newUser();
    const events = [endedCall(user), endedCall(user)];
    for (const event of events) await billing.prepare(event);
    for (const event of events) await publish(def, event);
    const doomed = await connect({ ...natsConnectOptions(testEnv.natsUrl), name: 'invoice-doomed' });
    connections.push(doomed);
    const invoices = invoicesFor(def);
    const hang = new Promise<void>((resolve) => releases.push(resolve));
    let committed = 0;
    // The first consumer commits, then never gets to ack.
    consumers.push(
      startBatchConsumer({
        js: doomed.jetstream(),
        consumer: def,
        schema: CallEndedSchema,
        log: silentLogger,
        handleBatch: async (batch) => {
          await invoices.invoiceCalls(batch);
          committed += batch.length;
          await hang;
        },
        handle: async (event) => {
          await invoices.invoiceCall(event);
          committed += 1;
          await hang;
        },
      }),
    );
    // One or both, depending on how the first pull arrived.
    await eventually(() => committed >= 1, 10_000, 'the first consumer to commit');
    await doomed.close(); // the process is gone: no ack will ever come from it
    const registry = new Registry();
    consume(def, invoices, registry);
    await eventually(() => settled(def), 20_000, 'the redeliveries acked by the new consumer');
    expect(await counter(registry, 'events_redelivered_total', def.name)).to.be.at.least(committed);
    await expectOnce(events);
    expect(await processed(def)).to.equal(2);
  });

  it('given nats-server restarts while calls are being invoiced, then every call has exactly one line and one charge', async function () {
    const def = await durable();
    const user = await billing.newUser();
    const before = Array.from({ length: 40 }, () => endedCall(user));
    const after = Array.from({ length: 20 }, () => endedCall(user));
    for (const event of [...before, ...after]) await billing.prepare(event);
    // Slow enough that the restart lands in the middle of the work.
    const slow: CallSettlement = {
      settle: async (tx, event) => {
        await sleep(20);
        return billing.settlement.settle(tx, event);
      },
      settleMany: async (tx, events) => {
        await sleep(20 * events.length);
        return billing.settlement.settleMany!(tx, events);
      },
    };
    for (const event of before) await publish(def, event);
    const c = consume(def, invoicesFor(def, slow));
    await c.ready;
    await eventually(async () => (await processed(def)) > 0, 10_000, 'the work to start');
    await restartNats();
    for (const event of after) {
      await eventually(
        () =>
          publish(def, event).then(
            () => true,
            () => false,
          ),
        20_000,
        'publishing after the restart',
      );
    }
    await eventually(async () => (await processed(def)) === 60, 60_000, 'all 60 calls');
    await eventually(() => settled(def), 30_000, 'every message acked');
    await expectOnce([...before, ...after]);
  });

  it('given a poison event in a batch, then it is dead-lettered alone and the others are invoiced', async function () {
    const def = await durable();
    const user = await billing.newUser();
    const events = Array.from({ length: 6 }, () => endedCall(user));
    for (const event of events) await billing.prepare(event);
    const poison = events[2]!;
    const refuse = (events: readonly CallEnded[]): void => {
      if (events.some((event) => event.callId === poison.callId)) throw new PermanentEventError('caller has no account');
    };
    const settlement: CallSettlement = {
      settle: async (tx, event) => {
        refuse([event]);
        return billing.settlement.settle(tx, event);
      },
      settleMany: async (tx, events) => {
        refuse(events);
        return billing.settlement.settleMany!(tx, events);
      },
    };
    for (const event of events) await publish(def, event);
    consume(def, invoicesFor(def, settlement));
    await eventually(() => settled(def), 15_000, 'every message acked or dead-lettered');
    await expectOnce(events.filter((event) => event !== poison));
    expect(await linesOf(db, poison.callId)).to.equal(0);
    const letters = await jsm.streams.getMessage(STREAMS.deadLetters.name, { last_by_subj: deadLetterSubject(def.name) });
    expect((letters.json<DeadLetter>())).to.include({ consumer: def.name, eventId: poison.id, reason: 'caller has no account' });
  });

  it('given two consumer instances sharing the durable and duplicates in the stream, then each call is invoiced and charged once', async function () {
    const def = await durable();
    const users = [await billing.newUser(), await billing.newUser(), await billing.newUser()];
    const events = Array.from({ length: 300 }, (_, i) => endedCall(users[i % users.length]!, { talkSeconds: 1 + (i % 200) }));
    for (const event of events) await billing.prepare(event);
    const invoices = invoicesFor(def);
    consume(def, invoices);
    consume(def, invoices);
    for (const [index, event] of events.entries()) {
      await publish(def, event);
      if (index % 10 === 0) await publish(def, event, `${event.id}-republished`);
    }
    await eventually(async () => (await processed(def)) === events.length, 60_000, 'all calls');
    await eventually(() => settled(def), 30_000, 'every message acked');
    await expectOnce(events);
    const totals = await db.invoice.findMany({ where: { userId: { in: users } } });
    for (const invoice of totals) {
      const sum = await db.invoiceLine.aggregate({ where: { invoiceId: invoice.id }, _sum: { amountMinor: true }, _count: true });
      expect(invoice.totalMinor).to.equal(sum._sum.amountMinor ?? 0n);
      expect(invoice.lineCount).to.equal(sum._count);
    }
  });
});
