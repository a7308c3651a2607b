import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createAdminApi, listen } from '../../../app/admin-api';
import { SessionResponse } from '../../../app/admin-api/schemas';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { systemClock } from '../../../app/shared/kernel';
import { createSessionModule, type SessionService } from '../../../app/session';
import { createUsersModule, type UserService } from '../../../app/users';
import { uniquePhoneNumber, uniqueUsername } from '../../support/admin-client';
import { testEnv } from '../../support/test-env';
import { contactOf, registerContact } from './support';

// GET /v1/users/{id}/sessions and DELETE /v1/sessions/{id}, in-process against real PostgreSQL.
describe('integration: admin API sessions', function () {
  const token = 'integration-token-0123456789';
  let db: Database;
  let sql: Sql;
  let server: Server;
  let base: string;
  let users: UserService;
  let sessions: SessionService;

  const request = async (method: string, path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const newUser = () => users.create({ username: uniqueUsername('api'), password: 'integration-pass', phoneNumber: uniquePhoneNumber() });

  before(async function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 4 });
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 2, log: silentLogger });
    users = createUsersModule({ db, sql, clock: systemClock, options: { realm: testEnv.sipRealm, maxDevicesPerUser: 3 } });
    sessions = createSessionModule({ sql, clock: systemClock });
    server = await listen(createAdminApi({ token, users, sessions, log: silentLogger, health: [] }), '127.0.0.1', 0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async function () {
    server?.close();
    await db?.$disconnect();
    await sql?.end();
  });

  it('given a user with two registered devices, then GET /v1/users/{id}/sessions lists both, in the documented shape', async function () {
    const user = await newUser();
    const phone = contactOf(user.username);
    const laptop = contactOf(user.username);
    const expiresAt = new Date(Date.now() + 300_000);
    await sessions.createSession(user.id, phone.id, { contactUri: phone.uri, transport: 'udp', userAgent: 'phone', registeredAt: new Date(Date.now() - 2000), expiresAt });
    await sessions.createSession(user.id, laptop.id, { contactUri: laptop.uri, transport: 'tls', registeredAt: new Date(Date.now() - 1000), expiresAt });

    const res = await request('GET', `/v1/users/${user.id}/sessions`);
    expect(res.status).to.equal(200);
    const list = res.body.sessions as Record<string, unknown>[];
    expect(list.map((s) => s.connectionId)).to.deep.equal([phone.id, laptop.id]);
    expect(list[0]).to.include({ userId: user.id, username: user.username, contactUri: phone.uri, transport: 'udp', userAgent: 'phone', expiresAt: expiresAt.toISOString() });
    for (const s of list) expect(SessionResponse.safeParse(s).success, JSON.stringify(s)).to.equal(true);
  });

  it('given a user without sessions, then an empty list; given an unknown or malformed user id, then 404 USER.NOT_FOUND', async function () {
    const user = await newUser();
    expect((await request('GET', `/v1/users/${user.id}/sessions`)).body).to.deep.equal({ sessions: [] });
    const unknown = await request('GET', '/v1/users/00000000-0000-4000-8000-000000000000/sessions');
    expect(unknown.status).to.equal(404);
    expect(unknown.body).to.include({ code: 'USER.NOT_FOUND' });
    expect((await request('GET', '/v1/users/not-a-uuid/sessions')).status).to.equal(404);
  });

  it('when a session is deleted, then 204, its device registration is removed, it is no longer listed, and a second delete is 409 SESSION.ALREADY_ENDED', async function () {
    const user = await newUser();
    const contact = contactOf(user.username);
    await registerContact(db, contact, 300);
    const session = await sessions.createSession(user.id, contact.id, { contactUri: contact.uri, expiresAt: new Date(Date.now() + 300_000) });

    expect((await request('DELETE', `/v1/sessions/${session.id}`)).status).to.equal(204);
    expect(await db.psContact.findUnique({ where: { id: contact.id } })).to.equal(null);
    expect((await request('GET', `/v1/users/${user.id}/sessions`)).body).to.deep.equal({ sessions: [] });
    const again = await request('DELETE', `/v1/sessions/${session.id}`);
    expect(again.status).to.equal(409);
    expect(again.body).to.deep.include({ code: 'SESSION.ALREADY_ENDED', details: { sessionId: session.id, endReason: 'logged_out' } });
  });

  it('given an unknown or malformed session id, then DELETE is 404 SESSION.NOT_FOUND', async function () {
    const unknown = await request('DELETE', '/v1/sessions/00000000-0000-4000-8000-000000000000');
    expect(unknown.status).to.equal(404);
    expect(unknown.body).to.include({ code: 'SESSION.NOT_FOUND' });
    expect((await request('DELETE', '/v1/sessions/not-a-uuid')).status).to.equal(404);
  });

  it('without a token, then 401; the OpenAPI document describes both routes', async function () {
    expect((await fetch(`${base}/v1/sessions/00000000-0000-4000-8000-000000000000`, { method: 'DELETE' })).status).to.equal(401);
    const doc = (await (await fetch(`${base}/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>>; components: { schemas: Record<string, unknown> } };
    expect(doc.paths['/v1/users/{id}/sessions']?.get?.responses).to.have.keys('200', '401', '404');
    expect(doc.paths['/v1/sessions/{id}']?.delete?.responses).to.have.keys('204', '401', '404', '409');
    expect(doc.components.schemas).to.include.keys('Session', 'SessionList');
  });
});
