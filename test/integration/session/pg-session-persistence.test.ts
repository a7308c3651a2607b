import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type Session } from '../../../app/session';
import { PgSessionPersistence } from '../../../app/session/pg-session-persistence';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { systemClock } from '../../../app/shared/kernel';
import { createUsersModule, type User } from '../../../app/users';
import { uniquePhoneNumber, uniqueUsername } from '../../support/admin-client';
import { testEnv } from '../../support/test-env';
import { contactOf, registerContact, sleep } from './support';

const T0 = new Date('2026-11-25T10:00:00.000Z');
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);

// The session stores over plain SQL, against the profile's PostgreSQL: what the Prisma stores
// answered, the devices a call rings, and units of work that commit whole or not at all.
describe('integration: session stores through plain SQL', function () {
  let db: Database;
  let sql: Sql;
  let persistence: PgSessionPersistence;
  let user: User;

  const session = (fields: Partial<Session> = {}): Session => ({
    id: randomUUID(),
    userId: user.id,
    username: user.username,
    connectionId: `${user.username}^3B@${randomUUID().slice(0, 8)}`,
    contactUri: `sip:${user.username}@127.0.0.1:40000`,
    registeredAt: at(0),
    refreshedAt: at(0),
    ...fields,
  });

  before(async function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 2 });
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 4, log: silentLogger });
    persistence = new PgSessionPersistence(sql);
    user = await createUsersModule({ db, sql, clock: systemClock, options: { realm: testEnv.sipRealm, maxDevicesPerUser: 3 } }).create({
      username: uniqueUsername('pgsess'),
      password: 'integration-pass',
      phoneNumber: uniquePhoneNumber(),
    });
  });

  after(async function () {
    await db?.$disconnect();
    await sql?.end();
  });

  it('given a session with every detail, then it reads back whole by id and by its open connection; given one without, then the details are absent', async function () {
    const { sessions } = persistence.stores;
    const full = session({ transport: 'tls', userAgent: 'pg-it', expiresAt: at(300) });
    const bare = session();
    await sessions.insert(full);
    await sessions.insert(bare);
    expect(await sessions.findById(full.id)).to.deep.equal(full);
    expect(await sessions.findOpenByConnection(full.connectionId)).to.deep.equal(full);
    expect(await sessions.findById(bare.id)).to.deep.equal(bare);
    expect(await sessions.findById('not-a-uuid')).to.equal(undefined);
    expect(await sessions.findById(randomUUID())).to.equal(undefined);
  });

  it('given a refresh naming some details, then those change and the others keep their values; given an ended session, then a refresh changes nothing', async function () {
    const { sessions } = persistence.stores;
    const open = session({ transport: 'udp', userAgent: 'first', expiresAt: at(300) });
    await sessions.insert(open);
    await sessions.refresh(open.id, { contactUri: 'sip:moved@127.0.0.1:40001', expiresAt: at(900), refreshedAt: at(600) });
    expect(await sessions.findById(open.id)).to.deep.equal({ ...open, contactUri: 'sip:moved@127.0.0.1:40001', expiresAt: at(900), refreshedAt: at(600) });

    expect(await sessions.end(open.id, at(700), 'unregistered')).to.equal(true);
    expect(await sessions.end(open.id, at(800), 'expired'), 'ended twice').to.equal(false);
    await sessions.refresh(open.id, { contactUri: 'sip:late@127.0.0.1:40002', refreshedAt: at(900) });
    const ended = await sessions.findById(open.id);
    expect(ended).to.deep.include({ contactUri: 'sip:moved@127.0.0.1:40001', refreshedAt: at(600), endedAt: at(700), endReason: 'unregistered' });
    expect(await sessions.findOpenByConnection(open.connectionId)).to.equal(undefined);
  });

  it('given a connection with several ended sessions, then the last ended one is found; given a user, then the active sessions oldest first, without ended or expired ones', async function () {
    const { sessions } = persistence.stores;
    const connectionId = `${user.username}^3B@${randomUUID().slice(0, 8)}`;
    const first = session({ connectionId, registeredAt: at(0), refreshedAt: at(0) });
    const second = session({ connectionId, registeredAt: at(10), refreshedAt: at(10) });
    await sessions.insert(first);
    await sessions.end(first.id, at(5), 'unregistered');
    await sessions.insert(second);
    await sessions.end(second.id, at(20), 'expired');
    expect((await sessions.findLastEndedByConnection(connectionId))?.id).to.equal(second.id);

    const now = new Date();
    const older = session({ registeredAt: new Date(now.getTime() - 60_000), expiresAt: new Date(now.getTime() + 60_000) });
    const newer = session({ registeredAt: new Date(now.getTime() - 30_000) });
    const expired = session({ registeredAt: new Date(now.getTime() - 90_000), expiresAt: new Date(now.getTime() - 1000) });
    for (const s of [newer, expired, older]) await sessions.insert(s);
    const active = (await sessions.listActiveOfUser(user.id, now)).map((s) => s.id);
    expect(active.indexOf(older.id)).to.be.lessThan(active.indexOf(newer.id));
    expect(active).to.include.members([older.id, newer.id]);
    expect(active).to.not.include.members([expired.id, first.id, second.id]);
    expect(await sessions.listActiveOfUser('not-a-uuid', now)).to.deep.equal([]);
  });

  it("given a user's registrations, then the devices to ring are the unexpired ones with a URI, latest expiry first; a removed one is gone", async function () {
    const { contacts } = persistence.stores;
    const soon = contactOf(user.username);
    const later = contactOf(user.username);
    const expired = contactOf(user.username);
    await registerContact(db, soon, 60);
    await registerContact(db, later, 600);
    await registerContact(db, expired, -10);
    // A row without a contact URI cannot be rung (and no registration event describes it: it is
    // removed, with its captured changes, at the end).
    const noUri = `${user.username}^3B@nouri${randomUUID().slice(0, 6)}`;
    await db.psContact.create({ data: { id: noUri, endpoint: user.username, expirationTime: BigInt(Math.floor(Date.now() / 1000) + 900) } });
    try {
      const devices = await contacts.activeOf(user.username, new Date());
      expect(devices.map((d) => d.connectionId)).to.deep.equal([later.id, soon.id]);
      expect(devices[0]?.contactUri).to.equal(later.uri);
      expect(devices[0]?.expiresAt.getTime() ?? 0).to.be.within(Date.now() + 590_000, Date.now() + 610_000);
      expect((devices[0]?.expiresAt.getTime() ?? 1) % 1000, 'whole seconds, as Asterisk stores them').to.equal(0);

      await contacts.remove(later.id);
      expect((await contacts.activeOf(user.username, new Date())).map((d) => d.connectionId)).to.deep.equal([soon.id]);
      expect(await contacts.activeOf(`nobody${randomUUID().slice(0, 6)}`, new Date())).to.deep.equal([]);
    } finally {
      await db.psContact.deleteMany({ where: { id: noUri } });
      await db.registrationChange.deleteMany({ where: { contactId: noUri } });
    }
  });

  it("given a user's phone and browser registered, then both are devices to ring, the browser's with its own endpoint and its URI as Asterisk reads it (';' stored as '^3B')", async function () {
    const { contacts } = persistence.stores;
    const phone = contactOf(user.username);
    const browserUri = 'sip:k3j2@198.18.0.1:50312;alias=198.18.0.1~50312~6';
    const browser = { id: `${user.username}~web^3B@${randomUUID().slice(0, 8)}`, uri: browserUri.replaceAll(';', '^3B'), endpoint: `${user.username}~web` };
    await registerContact(db, phone, 300);
    await registerContact(db, browser, 600);
    try {
      const devices = await contacts.activeOf(user.username, new Date());
      expect(devices.find((d) => d.connectionId === browser.id)).to.deep.include({ contactUri: browserUri, endpoint: browser.endpoint });
      expect(devices.find((d) => d.connectionId === phone.id)?.endpoint, 'a phone is rung as the user itself').to.equal(undefined);
    } finally {
      await contacts.remove(phone.id);
      await contacts.remove(browser.id);
      await db.registrationChange.deleteMany({ where: { contactId: { in: [phone.id, browser.id] } } });
    }
  });

  it('given a user deleted, then the directory no longer finds them, by id or by name', async function () {
    const { users } = persistence.stores;
    expect(await users.findById(user.id)).to.deep.equal({ id: user.id, username: user.username });
    expect(await users.findByUsername(user.username)).to.deep.equal({ id: user.id, username: user.username });
    expect(await users.findById('not-a-uuid')).to.equal(undefined);
    const gone = await createUsersModule({ db, sql, clock: systemClock, options: { realm: testEnv.sipRealm, maxDevicesPerUser: 3 } }).create({ username: uniqueUsername('pggone'), password: 'integration-pass', phoneNumber: uniquePhoneNumber() });
    await db.user.update({ where: { id: gone.id }, data: { deletedAt: new Date() } });
    expect(await users.findById(gone.id)).to.equal(undefined);
    expect(await users.findByUsername(gone.username)).to.equal(undefined);
  });

  it('given a unit of work that fails after writing, then none of it is kept; given one that resolves, then all of it is', async function () {
    const kept = session();
    const lost = session();
    const contact = contactOf(user.username);
    await registerContact(db, contact, 300);
    const failure = new Error('refused');
    const thrown = await persistence
      .transaction(async ({ sessions, contacts }) => {
        await sessions.insert(lost);
        await contacts.remove(contact.id);
        throw failure;
      })
      .catch((error: unknown) => error);
    expect(thrown).to.equal(failure);
    expect(await persistence.stores.sessions.findById(lost.id)).to.equal(undefined);
    expect((await persistence.stores.contacts.activeOf(user.username, new Date())).map((c) => c.connectionId)).to.include(contact.id);
    expect(await persistence.transaction(async ({ sessions }) => (await sessions.insert(kept), 'done'))).to.equal('done');
    expect(await persistence.stores.sessions.findById(kept.id)).to.deep.equal(kept);
  });

  it('given the same event applied by two deliveries at once, then its work runs once', async function () {
    const consumer = `pg-sess-${randomUUID().slice(0, 8)}`;
    const eventId = randomUUID();
    const inserted: string[] = [];
    const work = async ({ sessions }: Parameters<Parameters<PgSessionPersistence['once']>[2]>[0]): Promise<void> => {
      const s = session();
      await sessions.insert(s);
      inserted.push(s.id);
      await sleep(100);
    };
    const results = await Promise.all([persistence.once(consumer, eventId, work), persistence.once(consumer, eventId, work)]);
    expect(results).to.have.members([true, false]);
    expect(inserted).to.have.length(1);
  });
});
