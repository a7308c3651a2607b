import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { createCallLogModule } from '../../../app/call-log';
import { createRoutingModule, type RoutingModule, seededRandom } from '../../../app/routing';
import { CallEndedSchema, type CallEnded, STREAMS } from '../../../app/shared/events';
import { type ConsumerDefinition, ensureConsumer, ensureStreams, type RunningConsumer, startConsumer } from '../../../app/shared/infra/jetstream';
import { silentLogger } from '../../../app/shared/infra/logger';
import { connectNats } from '../../../app/shared/infra/nats';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { testEnv } from '../../support/test-env';
import { batchClock, eventually, newCarrier, outboundCall, recompute, type TestClock } from './support';

const MINUTE = 60_000;
const PREFIXES = [
  { number: '+4420', prefix: '4420' },
  { number: '+4479', prefix: '4479' },
  { number: '+44', prefix: '44' },
];
const noRetail = { retailRateOf: () => Promise.resolve(undefined) };

// The lambda architecture against real PostgreSQL and NATS JetStream: the batch layer over the
// call records up to its watermark, the speed layer (a durable consumer of call.v1.ended) after it,
// and their merge, compared with a recomputation from the call records in SQL.
describe('integration: routing quality, batch + speed layers', function () {
  this.timeout(120_000);
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let db: Database;
  let sql: Sql;
  const consumers: RunningConsumer[] = [];
  const durables: ConsumerDefinition[] = [];
  const random = seededRandom(20261125);

  const callLog = () => createCallLogModule({ sql, log: silentLogger });
  const moduleAt = (clock: TestClock, def: ConsumerDefinition): RoutingModule =>
    createRoutingModule({ db, sql, retail: noRetail, clock, consumerName: def.name, random: seededRandom(1) });

  async function durable(): Promise<ConsumerDefinition> {
    const tag = randomUUID().slice(0, 8);
    const def = { name: `test-routing-${tag}`, stream: STREAMS.callEvents.name, filterSubject: `call.v1.test-routing-${tag}` };
    await ensureConsumer(jsm, def, { ackWaitMs: 5000 });
    durables.push(def);
    return def;
  }

  const consume = (def: ConsumerDefinition, handle: (event: CallEnded) => Promise<void>): RunningConsumer => {
    const running = startConsumer({ js, consumer: def, schema: CallEndedSchema, handle, log: silentLogger, retryDelayMs: () => 200, maxDeliver: 10 });
    consumers.push(running);
    return running;
  };

  const settled = async (def: ConsumerDefinition): Promise<boolean> => {
    const info = await jsm.consumers.info(def.stream, def.name);
    return info.num_pending === 0 && info.num_ack_pending === 0;
  };

  // Calls to London, UK mobiles and elsewhere in +44, ending at the given times; written to the call
  // records as the call-records consumer does.
  async function calls(carriers: string[], times: number[]): Promise<CallEnded[]> {
    const log = callLog();
    const events = times.map((at, i) => outboundCall(random, carriers, `${['+4420', '+4479', '+4411'][i % 3]}${String(10_000_000 + Math.floor(random() * 89_999_999))}`, new Date(at)));
    for (const event of events) await log.recordEndedCall(event);
    return events;
  }

  async function expectAgreement(module: RoutingModule, carriers: string[]): Promise<number> {
    let compared = 0;
    for (const { number, prefix } of PREFIXES) {
      const expected = await recompute(db, carriers, number);
      for (const carrierId of carriers) {
        const sums = module.service.qualitySums(carrierId, prefix);
        expect(sums, `${carrierId} at ${prefix}`).to.deep.equal(expected.get(carrierId) ?? { ...sums, attempts: 0 });
        compared += sums.attempts;
      }
    }
    return compared;
  }

  before(async function () {
    nc = await connectNats(testEnv.natsUrl, 'routing-lambda-test', silentLogger);
    js = nc.jetstream();
    jsm = await nc.jetstreamManager();
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 6 });
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 2, log: silentLogger });
    await ensureStreams(jsm);
  });

  afterEach(async function () {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
  });

  after(async function () {
    for (const def of durables) await jsm.consumers.delete(def.stream, def.name).catch(() => undefined);
    await nc?.close();
    await db?.$disconnect();
    await sql?.end();
  });

  it('given history in the call records and live calls on NATS after the watermark, then the merged figures equal a recomputation from all the records, and a later batch agrees too', async function () {
    const carriers = [await newCarrier(db), await newCarrier(db), await newCarrier(db)];
    const clock = await batchClock(db);
    const def = await durable();
    // Two days of history, then the batch.
    await calls(carriers, Array.from({ length: 300 }, () => clock.ms - 10 * MINUTE - Math.floor(random() * 2 * 24 * 60 * MINUTE)));
    const routing = moduleAt(clock, def);
    await routing.service.start();
    const batch = await routing.service.runBatch();
    expect(batch.saved).to.equal(true);
    // Carriers skipped at their call limit are in the records: the agreement below shows neither
    // layer counts them.
    const skipped = await db.$queryRaw<Array<{ n: bigint }>>`
      SELECT count(*) AS n FROM call_records, jsonb_array_elements(attempts) AS a WHERE a->>'outcome' = 'skipped_at_limit' AND a->>'carrierId' = ANY(${carriers})`;
    expect(Number(skipped[0]?.n)).to.be.greaterThan(10);
    expect(batch.watermark.getTime()).to.equal(Math.floor((clock.ms - 2 * MINUTE) / MINUTE) * MINUTE);
    const historyOnly = await expectAgreement(routing, carriers);

    // Live calls that end after the watermark: records (the call log) and events (the speed layer).
    const live = await calls(carriers, Array.from({ length: 60 }, (_, i) => batch.watermark.getTime() + 1000 + i * 1000));
    for (const event of live) await js.publish(def.filterSubject, JSON.stringify(event), { msgID: event.id });
    // A redelivery with another message id (after JetStream's duplicate window): counted once.
    await js.publish(def.filterSubject, JSON.stringify(live[0]), { msgID: `${live[0]?.id}-again` });
    consume(def, (event) => routing.service.handleCallEnded(event));
    await eventually(() => settled(def), 30_000, 'every event acked');
    const merged = await expectAgreement(routing, carriers);
    expect(merged).to.be.greaterThan(historyOnly);

    // Ten minutes on: the next batch takes the live calls in; the speed minutes it covers drop out
    // of the merge, and nothing is counted twice.
    clock.ms += 10 * MINUTE;
    const next = await routing.service.runBatch();
    expect(next.watermark.getTime()).to.be.greaterThan(live.at(-1) ? Date.parse(live.at(-1)!.endedAt) : 0);
    expect(await expectAgreement(routing, carriers)).to.equal(merged);
  });

  it('given a crash between the commit and the ack, and a restart, then nothing is lost and nothing counted twice', async function () {
    const carriers = [await newCarrier(db), await newCarrier(db)];
    const clock = await batchClock(db);
    const def = await durable();
    await calls(carriers, Array.from({ length: 100 }, () => clock.ms - 10 * MINUTE - Math.floor(random() * 24 * 60 * MINUTE)));
    const first = moduleAt(clock, def);
    await first.service.start();
    const batch = await first.service.runBatch();
    const live = await calls(carriers, Array.from({ length: 40 }, (_, i) => batch.watermark.getTime() + 500 + i * 2000));
    for (const event of live) await js.publish(def.filterSubject, JSON.stringify(event), { msgID: event.id });

    // The instance commits each event's figures, then dies before acknowledging every third one.
    const crashed = new Set<string>();
    consume(def, async (event) => {
      await first.service.handleCallEnded(event);
      if (live.findIndex((e) => e.id === event.id) % 3 === 0 && !crashed.has(event.id)) {
        crashed.add(event.id);
        throw new Error('crashed before the ack');
      }
    });
    await eventually(() => crashed.size >= 10, 30_000, 'some deliveries to crash');
    await Promise.all(consumers.splice(0).map((c) => c.stop()));

    // A new instance: its figures come from PostgreSQL (batch + speed minutes); the messages that
    // were never acknowledged are redelivered to it.
    const restarted = moduleAt(clock, def);
    await restarted.service.start();
    consume(def, (event) => restarted.service.handleCallEnded(event));
    await eventually(() => settled(def), 30_000, 'every event acked after the restart');
    await expectAgreement(restarted, carriers);
    // Each event that taught something was applied once (a call whose only attempts never reached a
    // carrier, cancelled or skipped at its limit, teaches nothing and writes nothing).
    const processed = await db.processedEvent.count({ where: { consumer: def.name } });
    const reached = (outcome: string): boolean => outcome !== 'cancelled' && outcome !== 'skipped_at_limit';
    expect(processed).to.equal(live.filter((event) => (event.attempts ?? []).some((attempt) => reached(attempt.outcome))).length);

    // And a third instance started now agrees without replaying anything.
    const third = moduleAt(clock, def);
    await third.service.start();
    await expectAgreement(third, carriers);
  });
});
