import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { type JetStreamClient, type JetStreamManager, type NatsConnection, type PubAck } from 'nats';
import { type ConnectionEvent, deadLetterSubject, deterministicEventId, STREAMS } from '../../../app/shared/events';
import { type DeadLetter, ensureStreams } from '../../../app/shared/infra/jetstream';
import { silentLogger } from '../../../app/shared/infra/logger';
import { connectNats } from '../../../app/shared/infra/nats';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { RegistrationWatcher, type RegistrationWatcherOptions } from '../../../app/switch/realtime/registration-watcher';
import { capturingLogger } from '../../support/fakes/capturing-logger';
import { PROJECT_ROOT, testEnv } from '../../support/test-env';
import { connectionEventsAfter, contactOf, eventually, lastSeq, refreshContact, registerContact } from './support';

const run = promisify(execFile);
const profile = process.env.TEST_PROFILE ?? 'test';

// The watcher against the profile's PostgreSQL and NATS: registration_changes rows in, one
// JetStream message per row out.
describe('integration: registration watcher publishes registration changes', function () {
  this.timeout(90_000);
  let nc: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let db: Database;
  const watchers: RegistrationWatcher[] = [];

  function watcher(overrides: Partial<RegistrationWatcherOptions> = {}): RegistrationWatcher {
    // A long poll: within a test, only notifications (or a start) make it publish.
    const w = new RegistrationWatcher({ db, js, databaseUrl: testEnv.databaseUrl, log: silentLogger, pollIntervalMs: 60_000, retryDelayMs: 200, reconnectInitialMs: 100, reconnectMaxMs: 1000, ...overrides });
    watchers.push(w);
    return w;
  }

  const pending = (): Promise<number> => db.registrationChange.count();
  const ofContacts = (ids: string[]) => (event: ConnectionEvent): boolean => ids.includes(event.connectionId);

  before(async function () {
    nc = await connectNats(testEnv.natsUrl, 'registration-watcher-test', silentLogger);
    js = nc.jetstream();
    jsm = await nc.jetstreamManager();
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 4 });
    await ensureStreams(jsm);
    // Leftovers of other suites (no watcher ran there) would be published by the first test.
    await db.registrationChange.deleteMany({});
  });

  afterEach(async function () {
    await Promise.all(watchers.splice(0).map((w) => w.stop()));
  });

  after(async function () {
    // The contacts left registered, and the changes their removal records.
    const left = await db.psContact.findMany({ where: { endpoint: { startsWith: 'watch-' } }, select: { id: true } });
    await db.psContact.deleteMany({ where: { id: { in: left.map((c) => c.id) } } });
    await db.registrationChange.deleteMany({ where: { contactId: { in: left.map((c) => c.id) } } });
    await nc?.close();
    await db?.$disconnect();
  });

  it('given changes written while no watcher ran, when one starts, then each is published once, in order, with its deterministic id, and the table is emptied', async function () {
    const seq = await lastSeq(jsm);
    const a = contactOf('watch-a');
    const b = contactOf('watch-b');
    await registerContact(db, a, 300);
    await registerContact(db, b, 300);
    await refreshContact(db, a.id, 900);
    await db.psContact.delete({ where: { id: b.id } });
    const rows = await db.registrationChange.findMany({ orderBy: { id: 'asc' } });
    expect(rows).to.have.length(4);

    await watcher().start();
    await eventually(async () => (await pending()) === 0, 5000, 'the table to empty');
    const events = await connectionEventsAfter(jsm, seq, ofContacts([a.id, b.id]));
    expect(events.map((e) => [e.type, e.connectionId])).to.deep.equal([
      ['connection.v1.registered', a.id],
      ['connection.v1.registered', b.id],
      ['connection.v1.refreshed', a.id],
      ['connection.v1.unregistered', b.id],
    ]);
    expect(events.map((e) => e.id)).to.deep.equal(rows.map((row) => deterministicEventId('registration-change', String(row.id))));
    expect(events[0]).to.include({ username: 'watch-a', contactUri: a.uri, transport: 'udp', userAgent: 'it-device' });
  });

  it('given a running watcher, when a device registers, then the event is in the stream within a second (notification, not the poll)', async function () {
    await watcher().start();
    const seq = await lastSeq(jsm);
    const c = contactOf('watch-c');
    const started = Date.now();
    await registerContact(db, c, 300);
    await eventually(async () => (await connectionEventsAfter(jsm, seq, ofContacts([c.id]))).length === 1, 1000, 'the event');
    expect(Date.now() - started).to.be.below(1000);
  });

  it('given the watcher dies after JetStream acknowledged a change but before deleting it, when another starts, then that change is republished, dropped as a duplicate, and every change is in the stream exactly once', async function () {
    const seq = await lastSeq(jsm);
    const contacts = Array.from({ length: 6 }, (_, i) => contactOf(`watch-d${i}`));
    for (const c of contacts) await registerContact(db, c, 300);

    // The first watcher's third publish reaches JetStream, then the process "dies".
    let publishes = 0;
    const crashing = {
      publish: async (...args: Parameters<JetStreamClient['publish']>): Promise<PubAck> => {
        const ack = await js.publish(...args);
        publishes += 1;
        if (publishes === 3) throw new Error('killed after the PubAck');
        return ack;
      },
    } as unknown as JetStreamClient;
    const first = watcher({ js: crashing, retryDelayMs: 60_000 });
    await first.start();
    await eventually(() => publishes === 3, 5000, 'three publishes');
    await first.stop();
    expect(await pending()).to.equal(4); // the third row is still there: its delete never ran

    const acks: PubAck[] = [];
    const recording = {
      publish: async (...args: Parameters<JetStreamClient['publish']>): Promise<PubAck> => {
        const ack = await js.publish(...args);
        acks.push(ack);
        return ack;
      },
    } as unknown as JetStreamClient;
    await watcher({ js: recording }).start();
    await eventually(async () => (await pending()) === 0, 5000, 'the table to empty');

    expect(acks.filter((ack) => ack.duplicate)).to.have.length(1);
    const events = await connectionEventsAfter(jsm, seq, ofContacts(contacts.map((c) => c.id)));
    expect(events.map((e) => e.connectionId)).to.deep.equal(contacts.map((c) => c.id));
    expect(new Set(events.map((e) => e.id)).size).to.equal(6);
  });

  it('given a row no event can describe, then it is dead-lettered with the reason and the rows behind it are still published', async function () {
    const seq = await lastSeq(jsm);
    const dlqBefore = (await jsm.streams.info(STREAMS.deadLetters.name)).state.last_seq;
    await db.registrationChange.create({ data: { op: 'renamed', contactId: 'watch-e^3B@00', endpoint: 'watch-e', uri: 'sip:watch-e@127.0.0.1:1' } });
    const good = contactOf('watch-e');
    await registerContact(db, good, 300);

    await watcher().start();
    await eventually(async () => (await pending()) === 0, 5000, 'the table to empty');
    expect((await connectionEventsAfter(jsm, seq, ofContacts([good.id, 'watch-e^3B@00']))).map((e) => e.connectionId)).to.deep.equal([good.id]);
    const letter = await jsm.streams.getMessage(STREAMS.deadLetters.name, { last_by_subj: deadLetterSubject('registration-watcher') });
    expect(letter.seq).to.be.above(dlqBefore);
    const body = letter.json<DeadLetter>();
    expect(body).to.include({ consumer: 'registration-watcher' });
    expect(body.reason).to.match(/unknown op 'renamed'/);
    expect(JSON.parse(body.data)).to.include({ contactId: 'watch-e^3B@00', op: 'renamed' });
  });

  it('given PostgreSQL restarts, then the watcher listens again by itself and is woken by the changes made after the restart', async function () {
    const log = capturingLogger();
    const listening = (): number => log.entries.filter((e) => e.message === 'listening for registration changes').length;
    await watcher({ log, retryDelayMs: 60_000 }).start();
    expect(listening()).to.equal(1);
    await run('scripts/stack.sh', [profile, 'restart', 'postgres'], { cwd: PROJECT_ROOT });
    await eventually(() => listening() === 2, 15_000, 'the listener to reconnect');
    expect(log.entries.some((e) => e.message === 'registration changes listener lost')).to.equal(true);

    // No poll and no retry is due (both 60 s): only a notification can make it publish now.
    const seq = await lastSeq(jsm);
    const f = contactOf('watch-f');
    await eventually(async () => {
      try {
        await registerContact(db, f, 300);
        return true;
      } catch {
        return false; // the test's own pool reconnects on a later query
      }
    }, 10_000, 'PostgreSQL back for the test');
    await eventually(async () => (await connectionEventsAfter(jsm, seq, ofContacts([f.id]))).length === 1, 2000, 'the event after the restart');
    await eventually(async () => (await pending()) === 0, 2000, 'the table to empty');
  });
});
