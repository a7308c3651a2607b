import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type JetStreamClient, type JetStreamManager, type NatsConnection } from 'nats';
import { Registry } from 'prom-client';
import { type ConnectionEvent, ConnectionEventSchema, CONNECTION_SUBJECTS, STREAMS } from '../../../app/shared/events';
import { type ConsumerDefinition, ensureStreams, type RunningConsumer, startConsumer } from '../../../app/shared/infra/jetstream';
import { silentLogger } from '../../../app/shared/infra/logger';
import { connectNats } from '../../../app/shared/infra/nats';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { systemClock } from '../../../app/shared/kernel';
import { SessionService } from '../../../app/session';
import { PgSessionPersistence } from '../../../app/session/pg-session-persistence';
import { RegistrationWatcher } from '../../../app/switch/realtime/registration-watcher';
import { createUsersModule, type User } from '../../../app/users';
import { uniquePhoneNumber, uniqueUsername } from '../../support/admin-client';
import { addConsumerFromNow } from '../../support/jetstream';
import { testEnv } from '../../support/test-env';
import { contactOf, eventually, refreshContact, registerContact } from './support';

// The session service's side of the connection events, against the profile's PostgreSQL (and
// NATS for the whole path: ps_contacts -> trigger -> watcher -> JetStream -> consumer -> sessions).
describe('integration: sessions from connection events', function () {
  this.timeout(60_000);
  let db: Database;
  let sql: Sql;
  let service: SessionService;
  const consumerName = `it-sessions-${randomUUID().slice(0, 8)}`;

  const newUser = (): Promise<User> =>
    createUsersModule({ db, sql, clock: systemClock, options: { realm: testEnv.sipRealm, maxDevicesPerUser: 3 } }).create({
      username: uniqueUsername('sess'),
      password: 'integration-pass',
      phoneNumber: uniquePhoneNumber(),
    });
  const sessionsOfConnection = (connectionId: string) => db.session.findMany({ where: { connectionId }, orderBy: { registeredAt: 'asc' } });

  function event(type: ConnectionEvent['type'], user: User, contact: { id: string; uri: string }, extra: Record<string, unknown> = {}): ConnectionEvent {
    return ConnectionEventSchema.parse({
      id: randomUUID(),
      version: 1,
      type,
      occurredAt: new Date().toISOString(),
      username: user.username,
      connectionId: contact.id,
      contactUri: contact.uri,
      ...extra,
    });
  }

  before(function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 4 });
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 4, log: silentLogger });
    service = new SessionService({ persistence: new PgSessionPersistence(sql), clock: systemClock, log: silentLogger, consumer: consumerName });
  });

  after(async function () {
    await db?.$disconnect();
    await sql?.end();
  });

  it('given an event applied once, when it is delivered again, then the second application changes nothing', async function () {
    const user = await newUser();
    const contact = contactOf(user.username);
    const registered = event(CONNECTION_SUBJECTS.registered, user, contact, { transport: 'udp', userAgent: 'it', expiresAt: new Date(Date.now() + 300_000).toISOString() });
    await service.handleConnectionEvent(registered);
    const afterFirst = await sessionsOfConnection(contact.id);
    expect(afterFirst).to.have.length(1);
    await service.handleConnectionEvent(registered);
    expect(await sessionsOfConnection(contact.id)).to.deep.equal(afterFirst);

    const unregistered = event(CONNECTION_SUBJECTS.unregistered, user, contact);
    await service.handleConnectionEvent(unregistered);
    const ended = await sessionsOfConnection(contact.id);
    expect(ended[0]).to.include({ endReason: 'unregistered' });
    // A new registration, then the old unregistration again: it must not end the new session.
    await service.handleConnectionEvent(event(CONNECTION_SUBJECTS.registered, user, contact));
    const beforeRedelivery = await sessionsOfConnection(contact.id);
    await service.handleConnectionEvent(unregistered);
    expect(await sessionsOfConnection(contact.id)).to.deep.equal(beforeRedelivery);
    expect(beforeRedelivery.filter((s) => s.endedAt === null)).to.have.length(1);
    expect(await db.processedEvent.count({ where: { consumer: consumerName, eventId: { in: [registered.id, unregistered.id] } } })).to.equal(2);
  });

  it('given an active session, when it is logged out, then it ends as logged_out, its ps_contacts row is gone, and the unregistration that removal causes changes nothing', async function () {
    const user = await newUser();
    const contact = contactOf(user.username);
    await registerContact(db, contact, 300);
    await service.handleConnectionEvent(event(CONNECTION_SUBJECTS.registered, user, contact, { expiresAt: new Date(Date.now() + 300_000).toISOString() }));
    const [session] = await service.getSessions(user.id);
    expect(session).to.include({ connectionId: contact.id, userId: user.id });
    expect((await service.connectionsOf(user.username)).map((c) => c.contactUri)).to.deep.equal([contact.uri]);

    await service.logoutSession(session?.id ?? '');
    expect(await db.psContact.findUnique({ where: { id: contact.id } })).to.equal(null);
    expect(await service.connectionsOf(user.username)).to.deep.equal([]);
    expect(await service.getSessions(user.id)).to.deep.equal([]);
    const row = await db.session.findUnique({ where: { id: session?.id ?? '' } });
    expect(row).to.include({ endReason: 'logged_out' });

    // The trigger recorded the removal as an unregistration.
    const change = await db.registrationChange.findFirst({ where: { contactId: contact.id }, orderBy: { id: 'desc' } });
    expect(change?.op).to.equal('unregistered');
    await service.handleConnectionEvent(event(CONNECTION_SUBJECTS.unregistered, user, contact));
    expect(await db.session.findUnique({ where: { id: session?.id ?? '' } })).to.deep.equal(row);
  });

  describe('the whole path through JetStream', function () {
    let nc: NatsConnection;
    let js: JetStreamClient;
    let jsm: JetStreamManager;
    let watcher: RegistrationWatcher;
    let consumer: RunningConsumer;
    let def: ConsumerDefinition;

    before(async function () {
      nc = await connectNats(testEnv.natsUrl, 'session-consumer-test', silentLogger);
      js = nc.jetstream();
      jsm = await nc.jetstreamManager();
      await ensureStreams(jsm);
      def = { name: consumerName, stream: STREAMS.connectionEvents.name, filterSubject: 'connection.v1.>' };
      await addConsumerFromNow(jsm, def, { ackWaitMs: 5000 });
      watcher = new RegistrationWatcher({ db, js, databaseUrl: testEnv.databaseUrl, log: silentLogger });
      await watcher.start();
      consumer = startConsumer({ js, consumer: def, schema: ConnectionEventSchema, handle: (e) => service.handleConnectionEvent(e), log: silentLogger, metrics: new Registry() });
      await consumer.ready;
    });

    after(async function () {
      await consumer?.stop();
      await watcher?.stop();
      await jsm?.consumers.delete(def.stream, def.name).catch(() => undefined);
      await nc?.close();
    });

    it('given a device registering, refreshing and unregistering in ps_contacts, then its session is created, refreshed and ended', async function () {
      const user = await newUser();
      const contact = contactOf(user.username);
      await registerContact(db, contact, 300);
      await eventually(async () => (await service.getSessions(user.id)).length === 1, 10_000, 'the session');
      const [created] = await service.getSessions(user.id);
      expect(created).to.include({ connectionId: contact.id, contactUri: contact.uri, transport: 'udp', userAgent: 'it-device' });

      await refreshContact(db, contact.id, 900);
      await eventually(async () => ((await service.getSessions(user.id))[0]?.expiresAt?.getTime() ?? 0) > Date.now() + 600_000, 10_000, 'the refresh');
      expect((await service.getSessions(user.id))[0]?.id).to.equal(created?.id);

      await db.psContact.delete({ where: { id: contact.id } });
      await eventually(async () => (await service.getSessions(user.id)).length === 0, 10_000, 'the end');
      expect(await db.session.findUnique({ where: { id: created?.id ?? '' } })).to.include({ endReason: 'unregistered' });
    });

    it('given a contact that expired, when the registrar prunes it, then the session ends as expired', async function () {
      const user = await newUser();
      const contact = contactOf(user.username);
      await registerContact(db, contact, -1);
      await eventually(async () => (await sessionsOfConnection(contact.id)).length === 1, 10_000, 'the session');
      await db.psContact.delete({ where: { id: contact.id } });
      await eventually(async () => (await sessionsOfConnection(contact.id))[0]?.endReason === 'expired', 10_000, 'the expiry');
    });
  });
});
