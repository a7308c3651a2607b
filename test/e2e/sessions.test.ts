import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { type JetStreamManager, type NatsConnection } from 'nats';
import { Registry } from 'prom-client';
import { createAdminApi, listen } from '../../app/admin-api';
import { type ConnectionEvent, ConnectionEventSchema, STREAMS } from '../../app/shared/events';
import { ensureStreams, type RunningConsumer, startConsumer } from '../../app/shared/infra/jetstream';
import { silentLogger } from '../../app/shared/infra/logger';
import { connectNats } from '../../app/shared/infra/nats';
import { createDatabase, type Database } from '../../app/shared/infra/prisma';
import { createSql, type Sql } from '../../app/shared/infra/sql';
import { systemClock } from '../../app/shared/kernel';
import { SessionService } from '../../app/session';
import { PgSessionPersistence } from '../../app/session/pg-session-persistence';
import { RegistrationWatcher } from '../../app/switch/realtime/registration-watcher';
import { createUsersModule, type User } from '../../app/users';
import { uniquePhoneNumber, uniqueUsername } from '../support/admin-client';
import { eventually } from '../support/ari';
import { device, type Device, register } from '../support/devices';
import { addConsumerFromNow } from '../support/jetstream';
import { statusCodes } from '../support/sipp';
import { PROJECT_ROOT, testEnv } from '../support/test-env';

const run = promisify(execFile);
const profile = process.env.TEST_PROFILE ?? 'test';
type SessionBody = { id: string; connectionId: string; contactUri: string; transport?: string; userAgent?: string; expiresAt?: string };

// Real sipp devices registering with the real Asterisk; the registration watcher, the sessions
// consumer and the admin API run in this process (as main will run them).
describe('e2e: sessions follow real SIP registrations', function () {
  this.timeout(120_000);
  const password = 'e2e-session-pass';
  const token = 'e2e-sessions-token-0123456789';
  const consumerName = `e2e-sessions-${randomUUID().slice(0, 8)}`;
  let db: Database;
  let sql: Sql;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let watcher: RegistrationWatcher;
  let consumer: RunningConsumer;
  let server: Server;
  let base: string;
  let newUser: () => Promise<User>;
  let firstSeq: number;

  const api = async (method: string, path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const sessionsOf = async (user: User): Promise<SessionBody[]> => (await api('GET', `/v1/users/${user.id}/sessions`)).body.sessions as SessionBody[];
  const uriOf = (user: User, dev: Device): string => `sip:${user.username}@127.0.0.1:${dev.sipPort}`;
  // The contact URIs Asterisk itself has for the user's AOR (read from ps_contacts: nothing is cached).
  const asteriskContacts = async (user: User): Promise<string[]> =>
    (await run('scripts/asterisk-cli.sh', [profile, `pjsip show aor ${user.username}`], { cwd: PROJECT_ROOT })).stdout
      .split('\n')
      .map((line) => /^\s*contact\s+:\s*(\S+)/.exec(line)?.[1])
      .filter((uri): uri is string => uri !== undefined);
  async function eventsOf(connectionId: string): Promise<ConnectionEvent[]> {
    const last = (await jsm.streams.info(STREAMS.connectionEvents.name)).state.last_seq;
    const out: ConnectionEvent[] = [];
    for (let seq = firstSeq + 1; seq <= last; seq += 1) {
      const event = (await jsm.streams.getMessage(STREAMS.connectionEvents.name, { seq })).json<ConnectionEvent>();
      if (event.connectionId === connectionId) out.push(event);
    }
    return out;
  }

  before(async function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 4 });
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 2, log: silentLogger });
    nc = await connectNats(testEnv.natsUrl, 'e2e-sessions', silentLogger);
    const js = nc.jetstream();
    jsm = await nc.jetstreamManager();
    await ensureStreams(jsm);
    firstSeq = (await jsm.streams.info(STREAMS.connectionEvents.name)).state.last_seq;
    const def = { name: consumerName, stream: STREAMS.connectionEvents.name, filterSubject: 'connection.v1.>' };
    await addConsumerFromNow(jsm, def);
    const users = createUsersModule({ db, sql, clock: systemClock, options: { realm: testEnv.sipRealm, maxDevicesPerUser: 3, behindEdge: testEnv.sipBehindEdge } });
    newUser = () => users.create({ username: uniqueUsername('sess'), password, phoneNumber: uniquePhoneNumber() });
    const sessions = new SessionService({ persistence: new PgSessionPersistence(sql), clock: systemClock, log: silentLogger, consumer: consumerName });
    watcher = new RegistrationWatcher({ db, js, databaseUrl: testEnv.databaseUrl, log: silentLogger });
    await watcher.start();
    consumer = startConsumer({ js, consumer: def, schema: ConnectionEventSchema, handle: (e) => sessions.handleConnectionEvent(e), log: silentLogger, metrics: new Registry() });
    await consumer.ready;
    server = await listen(createAdminApi({ token, users, sessions, log: silentLogger, health: [] }), '127.0.0.1', 0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async function () {
    server?.close();
    await consumer?.stop();
    await watcher?.stop();
    await jsm?.consumers.delete(STREAMS.connectionEvents.name, consumerName).catch(() => undefined);
    await nc?.close();
    await db?.$disconnect();
    await sql?.end();
  });

  it('given a device that registers, re-registers and unregisters, then its session starts, is refreshed and ends, from registered, refreshed and unregistered events', async function () {
    const user = await newUser();
    const phone = device({ username: user.username, password });
    expect(statusCodes(await register(phone, { expires: 120 }))).to.deep.equal([401, 200]);
    await eventually(() => sessionsOf(user), (list) => list.length === 1, 10_000);
    const [session] = await sessionsOf(user);
    expect(session).to.include({ contactUri: uriOf(user, phone), transport: 'udp', userAgent: 'sipp-device' });
    const firstExpiry = Date.parse(session?.expiresAt ?? '');
    expect(firstExpiry - Date.now()).to.be.within(100_000, 121_000);

    expect(statusCodes(await register(phone, { expires: 600 }))).to.include(200);
    const refreshed = await eventually(() => sessionsOf(user), (list) => Date.parse(list[0]?.expiresAt ?? '') > firstExpiry + 300_000, 10_000);
    expect(refreshed.map((s) => s.id)).to.deep.equal([session?.id]);

    expect(statusCodes(await register(phone, { expires: 0 }))).to.include(200);
    await eventually(() => sessionsOf(user), (list) => list.length === 0, 10_000);
    expect(await db.session.findUnique({ where: { id: session?.id ?? '' } })).to.include({ endReason: 'unregistered' });
    expect((await eventsOf(session?.connectionId ?? '')).map((e) => e.type)).to.deep.equal([
      'connection.v1.registered',
      'connection.v1.refreshed',
      'connection.v1.unregistered',
    ]);
  });

  it('given two registered devices, when an operator logs one out, then Asterisk no longer has its contact, the other stays, and its next REGISTER starts a new session', async function () {
    const user = await newUser();
    const phone = device({ username: user.username, password });
    const laptop = device({ username: user.username, password });
    await register(phone);
    await register(laptop);
    const both = await eventually(() => sessionsOf(user), (list) => list.length === 2, 10_000);
    const laptopSession = both.find((s) => s.contactUri === uriOf(user, laptop));
    expect(await asteriskContacts(user)).to.include(uriOf(user, laptop));

    expect((await api('DELETE', `/v1/sessions/${laptopSession?.id}`)).status).to.equal(204);
    expect((await sessionsOf(user)).map((s) => s.contactUri)).to.deep.equal([uriOf(user, phone)]);
    expect(await asteriskContacts(user)).to.deep.equal([uriOf(user, phone)]);
    expect((await api('DELETE', `/v1/sessions/${laptopSession?.id}`)).status).to.equal(409);

    expect(statusCodes(await register(laptop))).to.include(200);
    const again = await eventually(() => sessionsOf(user), (list) => list.length === 2, 10_000);
    expect(again.map((s) => s.id)).to.not.include(laptopSession?.id);
  });

  it('given a device that never re-registers, when Asterisk prunes its expired contact, then its session ends as expired', async function () {
    this.timeout(150_000);
    const user = await newUser();
    const phone = device({ username: user.username, password });
    await register(phone, { expires: 60 }); // the AOR's minimum
    const [session] = await eventually(() => sessionsOf(user), (list) => list.length === 1, 10_000);
    // Asterisk looks for expired contacts every 30 s (contact_expiration_check_interval).
    await eventually(() => db.session.findUnique({ where: { id: session?.id ?? '' } }), (row) => row?.endReason === 'expired', 120_000);
    const events = await eventsOf(session?.connectionId ?? '');
    expect(events.map((e) => e.type)).to.deep.equal(['connection.v1.registered', 'connection.v1.expired']);
  });
});
