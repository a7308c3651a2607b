import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { Registry } from 'prom-client';
import { LOCAL_ONLY_INTERCEPT_KEY } from '../../../app/config/schema';
import { createInterceptModule, startInterceptConsumer, type InterceptModule } from '../../../app/intercept';
import { CallEventSchema, deadLetterSubject, STREAMS, type CallEvent } from '../../../app/shared/events';
import { ensureConsumer, ensureStreams, type ConsumerDefinition, type RunningConsumer } from '../../../app/shared/infra/jetstream';
import { silentLogger } from '../../../app/shared/infra/logger';
import { connectNats } from '../../../app/shared/infra/nats';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { systemClock } from '../../../app/shared/kernel';
import { capturingLogger } from '../../support/fakes/capturing-logger';
import { FakeContentTap } from '../../support/fakes/fake-content-tap';
import { InMemoryEvidenceLocation } from '../../support/fakes/in-memory-evidence-location';
import { TcpProxy } from '../../support/tcp-proxy';
import { testEnv } from '../../support/test-env';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// The intercept consumer against real NATS and a real PostgreSQL that goes away for longer than
// the old delivery limit (5 deliveries: about 15 s of backoff) while a target's call happens.
describe('integration: intercept consumer through a database outage', function () {
  this.timeout(120_000);
  const id = randomUUID().slice(0, 8);
  const def: ConsumerDefinition = { name: `intercept-it-${id}`, stream: STREAMS.callEvents.name, filterSubject: `call.v1.it-${id}.>` };
  const log = capturingLogger();
  const metrics = new Registry();
  let proxy: TcpProxy;
  let direct: Database;
  let proxied: Database;
  let proxiedSql: Sql;
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let intercept: InterceptModule;
  let consumer: RunningConsumer | undefined;

  before(async function () {
    const url = new URL(testEnv.databaseUrl);
    proxy = new TcpProxy(url.hostname, Number(url.port));
    await proxy.start();
    const through = new URL(testEnv.databaseUrl);
    through.hostname = '127.0.0.1';
    through.port = String(proxy.port);
    direct = createDatabase({ url: testEnv.databaseUrl, poolSize: 2 });
    proxied = createDatabase({ url: through.toString(), poolSize: 2 });
    proxiedSql = createSql({ url: through.toString(), poolSize: 2, log: silentLogger });
    intercept = createInterceptModule({
      db: proxied,
      sql: proxiedSql,
      tap: new FakeContentTap(),
      liveCalls: { liveCallsOf: () => Promise.resolve([]), find: () => Promise.resolve(undefined) },
      storage: [],
      locations: [new InMemoryEvidenceLocation('a')],
      encryptionKey: Buffer.from(LOCAL_ONLY_INTERCEPT_KEY, 'base64'),
      retentionDays: 3650,
      tickMs: 1000,
      verifyIntervalMs: 60_000,
      instanceId: 'it',
      clock: systemClock,
      log: silentLogger,
      metrics,
    });
    nc = await connectNats(testEnv.natsUrl, `it-intercept-${id}`, silentLogger);
    js = nc.jetstream();
    jsm = await nc.jetstreamManager();
    await ensureStreams(jsm);
    await ensureConsumer(jsm, def);
  });

  after(async function () {
    await consumer?.stop();
    await jsm?.consumers.delete(def.stream, def.name).catch(() => undefined);
    // The events of this test are not left for the app's own intercept consumer.
    await jsm?.streams.purge(def.stream, { filter: def.filterSubject });
    await nc?.close();
    await proxied?.$disconnect();
    await proxiedSql?.end();
    await direct?.$disconnect();
    await proxy?.stop();
  });

  it('given PostgreSQL unreachable for 25 s while a target calls, then no intercept record is lost or reordered, nothing is dead-lettered, and the hold-up is visible', async function () {
    const agency = await intercept.agencies.create('Consumer IT');
    const target = { userId: randomUUID(), username: `cons${id}`, phoneNumber: '+14155550177' };
    const callee = { userId: randomUUID(), username: `callee${id}`, phoneNumber: '+14155550178' };
    const warrant = await intercept.warrants.activate({ agencyId: agency.agency.id, targets: [{ type: 'sipUsername', value: target.username }], content: false, validFrom: new Date(Date.now() - 60_000), validUntil: new Date(Date.now() + 3600_000) });
    consumer = startInterceptConsumer({ js, handle: (event) => intercept.handleCallEvent(event), log, metrics, consumer: def });
    await consumer.ready;

    proxy.cut();
    const callId = randomUUID();
    const at = (ms: number): string => new Date(Date.now() + ms).toISOString();
    const events: CallEvent[] = [
      { id: `${callId}-req`, version: 1, callId, occurredAt: at(0), type: 'call.v1.requested', caller: target, dialed: callee.username },
      { id: `${callId}-rt`, version: 1, callId, occurredAt: at(10), type: 'call.v1.routed', callee, devices: 1 },
      { id: `${callId}-ans`, version: 1, callId, occurredAt: at(500), type: 'call.v1.answered', setupMs: 500 },
      {
        id: `${callId}-end`, version: 1, callId, occurredAt: at(2500), type: 'call.v1.ended', caller: target, callee, dialed: callee.username, cause: 'completed',
        requestedAt: at(0), answeredAt: at(500), endedAt: at(2500), talkMs: 2000, quality: {}, history: [],
      },
    ].map((event) => CallEventSchema.parse(event));
    for (const event of events) await js.publish(`call.v1.it-${id}.${event.type.split('.').at(-1)}`, JSON.stringify(event), { msgID: event.id });

    let heldUp = 0;
    for (let waited = 0; waited < 25_000; waited += 1000) {
      await sleep(1000);
      const gauge = (await metrics.getSingleMetric('consumer_held_up_seconds')?.get())?.values.find((v) => v.labels.consumer === def.name);
      heldUp = Math.max(heldUp, gauge?.value ?? 0);
    }
    proxy.restore();

    const deadline = Date.now() + 60_000;
    let kinds: string[] = [];
    while (Date.now() < deadline) {
      kinds = (await direct.liEvent.findMany({ where: { warrantId: warrant.id }, orderBy: { seq: 'asc' } })).map((e) => e.kind);
      if (kinds.includes('iri.end')) break;
      await sleep(500);
    }
    expect(kinds).to.deep.equal(['warrant.activated', 'iri.begin', 'iri.continue', 'iri.answer', 'iri.end']);
    const dead = await jsm.streams.info(STREAMS.deadLetters.name, { subjects_filter: deadLetterSubject(def.name) });
    expect(dead.state.subjects?.[deadLetterSubject(def.name)] ?? 0, 'dead letters').to.equal(0);
    console.log(`      held up for up to ${heldUp.toFixed(1)} s; ${log.entries.filter((e) => e.message === 'event handling failed, retrying in place').length} failed attempts logged`);
    expect(heldUp).to.be.greaterThan(15);
    expect(log.entries.some((e) => e.message === 'event handling failed, retrying in place')).to.equal(true);
  });
});
