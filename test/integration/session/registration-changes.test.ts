import { expect } from 'chai';
import { Client, type Notification } from 'pg';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { testEnv } from '../../support/test-env';
import { contactOf, epochSeconds, eventually, refreshContact, registerContact } from './support';

// The trigger on ps_contacts (migration registration_changes), driven by plain SQL writes like
// the ones Asterisk's registrar makes.
describe('integration: registration changes recorded by the ps_contacts trigger', function () {
  let db: Database;
  let listener: Client;
  const notified: string[] = [];

  const changesOf = (contactId: string): Promise<{ id: bigint; op: string; expirationTime: bigint | null; previousExpirationTime: bigint | null; uri: string | null; endpoint: string | null; userAgent: string | null }[]> =>
    db.registrationChange.findMany({ where: { contactId }, orderBy: { id: 'asc' } });

  before(async function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 2 });
    listener = new Client({ connectionString: testEnv.databaseUrl });
    await listener.connect();
    listener.on('notification', (message: Notification) => notified.push(message.payload ?? ''));
    await listener.query('LISTEN registration_changes');
  });

  after(async function () {
    await db.registrationChange.deleteMany({ where: { endpoint: { startsWith: 'trigger-' } } });
    await listener?.end();
    await db?.$disconnect();
  });

  it('given a device registers, refreshes and unregisters, then registered, refreshed and unregistered rows are appended in order, each notified by id', async function () {
    const contact = contactOf('trigger-a');
    await registerContact(db, contact, 300);
    await refreshContact(db, contact.id, 600);
    await db.psContact.delete({ where: { id: contact.id } });

    const rows = await changesOf(contact.id);
    expect(rows.map((row) => row.op)).to.deep.equal(['registered', 'refreshed', 'unregistered']);
    expect(rows[0]).to.include({ uri: contact.uri, endpoint: 'trigger-a', userAgent: 'it-device', previousExpirationTime: null });
    expect(rows[1]?.previousExpirationTime).to.equal(rows[0]?.expirationTime);
    expect(Number(rows[1]?.expirationTime) - Number(rows[0]?.expirationTime)).to.be.within(299, 301);
    expect(rows[2]?.expirationTime).to.equal(rows[1]?.expirationTime);
    const ids = rows.map((row) => String(row.id));
    await eventually(() => ids.every((id) => notified.includes(id)), 2000, 'notifications');
  });

  it('given a contact whose expiry has passed, when the registrar prunes it, then an expired row', async function () {
    const contact = contactOf('trigger-b');
    await registerContact(db, contact, -30);
    await db.psContact.delete({ where: { id: contact.id } });
    expect((await changesOf(contact.id)).map((row) => row.op)).to.deep.equal(['registered', 'expired']);
  });

  it('given a contact expiring this very second, when it is deleted, then it counts as expired (one second of slack)', async function () {
    const contact = contactOf('trigger-c');
    await registerContact(db, contact, 1);
    await db.psContact.delete({ where: { id: contact.id } });
    expect((await changesOf(contact.id)).map((row) => row.op)).to.deep.equal(['registered', 'expired']);
  });

  it('given an update that leaves the expiry alone, then no row is appended', async function () {
    const contact = contactOf('trigger-d');
    await registerContact(db, contact, 300);
    await db.psContact.update({ where: { id: contact.id }, data: { userAgent: 'changed', qualifyTimeout: 3 } });
    const expiry = (await db.psContact.findUnique({ where: { id: contact.id } }))?.expirationTime ?? 0n;
    await db.$executeRaw`UPDATE ps_contacts SET expiration_time = ${expiry} WHERE id = ${contact.id}`;
    expect((await changesOf(contact.id)).map((row) => row.op)).to.deep.equal(['registered']);
    await db.psContact.delete({ where: { id: contact.id } });
  });

  it('given a registrar transaction that rolls back, then no row is left and nothing is notified', async function () {
    const contact = contactOf('trigger-e');
    // The earlier tests' notifications may still be on their way (a loaded machine): count from
    // when every change recorded so far has been notified.
    const recorded = (await db.registrationChange.findMany({ where: { endpoint: { startsWith: 'trigger-' } }, select: { id: true } })).map((row) => String(row.id));
    await eventually(() => recorded.every((id) => notified.includes(id)), 5000, 'earlier notifications');
    const before = notified.length;
    await db
      .$transaction(async (tx) => {
        await tx.psContact.create({ data: { ...contact, expirationTime: epochSeconds(300) } });
        throw new Error('rollback');
      })
      .catch(() => undefined);
    expect(await changesOf(contact.id)).to.deep.equal([]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(notified.length).to.equal(before);
  });
});
