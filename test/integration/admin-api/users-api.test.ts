import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createAdminApi, listen } from '../../../app/admin-api';
import { systemClock } from '../../../app/shared/kernel';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { createUsersModule, digestHa1 } from '../../../app/users';
import { uniquePhoneNumber, uniqueUsername } from '../../support/admin-client';
import { testEnv } from '../../support/test-env';

// The admin API in-process, against the real PostgreSQL of the test stack.
describe('integration: admin API users', function () {
  const token = 'integration-token-0123456789';
  let db: Database;
  let sql: Sql;
  let server: Server;
  let base: string;

  const request = async (method: string, path: string, body?: unknown, auth: string | null = token): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> => {
    const headers: Record<string, string> = {};
    if (auth !== null) headers.authorization = `Bearer ${auth}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
  };
  const newUser = (): { username: string; password: string; phoneNumber: string } => ({
    username: uniqueUsername('it'),
    password: 'integration-pass',
    phoneNumber: uniquePhoneNumber(),
  });

  before(async function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 4 });
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 2, log: silentLogger });
    const users = createUsersModule({ db, sql, clock: systemClock, options: { realm: testEnv.sipRealm, maxDevicesPerUser: 3 } });
    const app = createAdminApi({ token, users, log: silentLogger, health: [{ name: 'postgres', check: async () => void (await db.$queryRaw`SELECT 1`) }] });
    server = await listen(app, '127.0.0.1', 0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async function () {
    server?.close();
    await db?.$disconnect();
    await sql?.end();
  });

  it('given a valid body, when a user is created, then 201 returns it and its PJSIP realtime rows exist with the HA1, not the password', async function () {
    const input = newUser();
    const res = await request('POST', '/v1/users', input);
    expect(res.status).to.equal(201);
    expect(res.body).to.include({ username: input.username, phoneNumber: input.phoneNumber });
    expect(res.body).to.have.all.keys('id', 'username', 'phoneNumber', 'createdAt', 'suspended', 'mediaEncryption');
    expect(res.body.suspended).to.equal(false);
    expect(res.body.mediaEncryption).to.equal('optional');
    expect(res.headers.get('location')).to.equal(`/v1/users/${String(res.body.id)}`);

    const auth = await db.psAuth.findUnique({ where: { id: input.username } });
    expect(auth).to.include({ authType: 'md5', realm: testEnv.sipRealm, md5Cred: digestHa1(input.username, testEnv.sipRealm, input.password) });
    expect(auth?.password).to.equal(null);
    const endpoint = await db.psEndpoint.findUnique({ where: { id: input.username } });
    expect(endpoint).to.include({ context: 'from-users', aors: input.username, auth: input.username });
    expect((await db.psAor.findUnique({ where: { id: input.username } }))?.maxContacts).to.equal(3);
  });

  it('given a created user, when it is fetched, then the same user comes back', async function () {
    const created = await request('POST', '/v1/users', newUser());
    const res = await request('GET', `/v1/users/${String(created.body.id)}`);
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal(created.body);
  });

  it('given a created user, when it is deleted, then 204, it is gone from the API and its SIP rows are removed, but the user row is kept', async function () {
    const input = newUser();
    const created = await request('POST', '/v1/users', input);
    const id = String(created.body.id);
    await db.psContact.create({ data: { id: `${input.username}^3B@abc`, uri: 'sip:x@127.0.0.1:5999', endpoint: input.username, expirationTime: BigInt(Math.floor(Date.now() / 1000) + 300) } });

    expect((await request('DELETE', `/v1/users/${id}`)).status).to.equal(204);
    expect((await request('GET', `/v1/users/${id}`)).body).to.include({ code: 'USER.NOT_FOUND' });
    expect((await request('DELETE', `/v1/users/${id}`)).status).to.equal(404);
    expect(await db.psEndpoint.findUnique({ where: { id: input.username } })).to.equal(null);
    expect(await db.psAuth.findUnique({ where: { id: input.username } })).to.equal(null);
    expect(await db.psAor.findUnique({ where: { id: input.username } })).to.equal(null);
    expect(await db.psContact.count({ where: { endpoint: input.username } })).to.equal(0);
    expect((await db.user.findUnique({ where: { id } }))?.deletedAt).to.be.instanceOf(Date);
  });

  it('given a taken username or phone number, when a user is created, then 409 with the conflicting field and nothing changes', async function () {
    const input = newUser();
    await request('POST', '/v1/users', input);
    const sameName = await request('POST', '/v1/users', { ...input, phoneNumber: uniquePhoneNumber() });
    expect(sameName.status).to.equal(409);
    expect(sameName.body).to.deep.include({ code: 'USER.USERNAME_TAKEN', details: { username: input.username } });
    const sameNumber = await request('POST', '/v1/users', { ...newUser(), phoneNumber: input.phoneNumber });
    expect(sameNumber.status).to.equal(409);
    expect(sameNumber.body).to.include({ code: 'USER.PHONE_NUMBER_TAKEN' });
    expect(await db.user.count({ where: { phoneNumber: input.phoneNumber } })).to.equal(1);
  });

  it('given malformed bodies, then 400 with {code, message, details} naming each bad field', async function () {
    const cases: [unknown, string[]][] = [
      [{}, ['username', 'password', 'phoneNumber']],
      [{ ...newUser(), phoneNumber: '555-0101' }, ['phoneNumber']],
      [{ ...newUser(), phoneNumber: '+1415555' }, ['phoneNumber']],
      [{ ...newUser(), username: 'Robert"); DROP TABLE users;--' }, ['username']],
      [{ ...newUser(), password: 'short' }, ['password']],
      [{ ...newUser(), admin: true }, ['']],
      [{ ...newUser(), username: 42 }, ['username']],
    ];
    for (const [body, fields] of cases) {
      const res = await request('POST', '/v1/users', body);
      expect(res.status, JSON.stringify(body)).to.equal(400);
      expect(res.body.code).to.equal('REQUEST.INVALID');
      expect(res.body.message).to.be.a('string');
      const paths = (res.body.details as { issues: { path: string }[] }).issues.map((issue) => issue.path);
      expect(paths, JSON.stringify(body)).to.include.members(fields);
    }
  });

  it('given a body that is not JSON, then 400 REQUEST.MALFORMED_JSON', async function () {
    const res = await fetch(`${base}/v1/users`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"username": ' });
    expect(res.status).to.equal(400);
    expect(await res.json()).to.include({ code: 'REQUEST.MALFORMED_JSON' });
  });

  it('given no token or a wrong one, then 401 and nothing is created', async function () {
    const input = newUser();
    expect((await request('POST', '/v1/users', input, null)).status).to.equal(401);
    const wrong = await request('POST', '/v1/users', input, 'wrong-token');
    expect(wrong.status).to.equal(401);
    expect(wrong.body).to.include({ code: 'AUTH.UNAUTHORIZED' });
    expect(await db.user.count({ where: { username: input.username } })).to.equal(0);
  });

  it('given ids that do not exist or are not ids, then 404', async function () {
    expect((await request('GET', '/v1/users/00000000-0000-4000-8000-000000000000')).status).to.equal(404);
    expect((await request('GET', '/v1/users/not-a-uuid')).status).to.equal(404);
    expect((await request('GET', '/v1/nothing-here')).body).to.include({ code: 'ROUTE.NOT_FOUND' });
  });

  it('serves an OpenAPI 3.1 document without a token that describes every route', async function () {
    const res = await request('GET', '/v1/openapi.json', undefined, null);
    expect(res.status).to.equal(200);
    expect(res.body.openapi).to.equal('3.1.0');
    const paths = res.body.paths as Record<string, Record<string, unknown>>;
    expect(paths).to.include.keys('/healthz', '/v1/openapi.json', '/v1/users', '/v1/users/{id}', '/v1/calls', '/v1/calls/{id}');
    expect(paths['/v1/users/{id}']).to.have.keys('get', 'delete');
    const schemas = (res.body.components as { schemas: Record<string, { required?: string[] }> }).schemas;
    expect(schemas.CreateUserRequest?.required).to.include.members(['username', 'password', 'phoneNumber']);
  });

  it('given a user, when it is suspended with a reason and resumed, then 200 returns it with the suspension (flag, reason, time) and then without; the database keeps both columns', async function () {
    const id = String((await request('POST', '/v1/users', newUser())).body.id);
    const suspended = await request('POST', `/v1/users/${id}/suspend`, { reason: 'chargeback' });
    expect(suspended.status).to.equal(200);
    expect(suspended.body).to.include({ id, suspended: true, suspensionReason: 'chargeback' });
    expect(Date.parse(String(suspended.body.suspendedAt))).to.be.closeTo(Date.now(), 60_000);
    expect((await request('GET', `/v1/users/${id}`)).body).to.include({ suspended: true, suspensionReason: 'chargeback' });
    const row = await db.user.findUnique({ where: { id } });
    expect(row?.suspensionReason).to.equal('chargeback');
    const resumed = await request('POST', `/v1/users/${id}/resume`, {});
    expect(resumed.status).to.equal(200);
    expect(resumed.body).to.include({ suspended: false });
    expect(resumed.body).to.not.have.any.keys('suspensionReason', 'suspendedAt');
  });

  it('given a suspension without a reason, or of a user nobody has, then 400 and 404', async function () {
    const id = String((await request('POST', '/v1/users', newUser())).body.id);
    expect((await request('POST', `/v1/users/${id}/suspend`, {})).status).to.equal(400);
    expect((await request('POST', `/v1/users/${id}/suspend`, { reason: '' })).status).to.equal(400);
    expect((await request('POST', '/v1/users/00000000-0000-4000-8000-00000000dead/suspend', { reason: 'x' })).status).to.equal(404);
    expect((await request('POST', '/v1/users/00000000-0000-4000-8000-00000000dead/resume', {})).status).to.equal(404);
  });

  it('given a password change, then 204 and the auth row holds the HA1 of the new password; a short one is 400, an unknown user 404', async function () {
    const input = newUser();
    const id = String((await request('POST', '/v1/users', input)).body.id);
    expect((await request('PUT', `/v1/users/${id}/password`, { password: 'the-new-password' })).status).to.equal(204);
    const auth = await db.psAuth.findUnique({ where: { id: input.username } });
    expect(auth?.md5Cred).to.equal(digestHa1(input.username, testEnv.sipRealm, 'the-new-password'));
    expect((await request('PUT', `/v1/users/${id}/password`, { password: 'short' })).status).to.equal(400);
    expect((await request('PUT', '/v1/users/00000000-0000-4000-8000-00000000dead/password', { password: 'long enough' })).status).to.equal(404);
  });

  it('given the OpenAPI document, then it describes suspend, resume and password', async function () {
    const doc = await request('GET', '/v1/openapi.json', undefined, null);
    const paths = doc.body.paths as Record<string, Record<string, unknown>>;
    expect(paths['/v1/users/{id}/suspend']).to.have.property('post');
    expect(paths['/v1/users/{id}/resume']).to.have.property('post');
    expect(paths['/v1/users/{id}/password']).to.have.property('put');
  });

  it('given a media encryption policy on create and on update, then the user and its endpoint follow it; an unknown policy is 400', async function () {
    const input = { ...newUser(), mediaEncryption: 'required' };
    const created = await request('POST', '/v1/users', input);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(created.body.mediaEncryption).to.equal('required');
    expect(await db.psEndpoint.findUnique({ where: { id: input.username } })).to.include({ mediaEncryption: 'sdes', mediaEncryptionOptimistic: 'no' });
    const off = await request('PUT', `/v1/users/${String(created.body.id)}/media-encryption`, { mediaEncryption: 'off' });
    expect(off.status).to.equal(200);
    expect(off.body.mediaEncryption).to.equal('off');
    expect(await db.psEndpoint.findUnique({ where: { id: input.username } })).to.include({ mediaEncryption: 'no', mediaEncryptionOptimistic: 'no' });
    expect((await request('GET', `/v1/users/${String(created.body.id)}`)).body.mediaEncryption).to.equal('off');
    const bad = await request('PUT', `/v1/users/${String(created.body.id)}/media-encryption`, { mediaEncryption: 'always' });
    expect(bad.status).to.equal(400);
    const doc = await request('GET', '/v1/openapi.json', undefined, null);
    expect((doc.body.paths as Record<string, Record<string, unknown>>)['/v1/users/{id}/media-encryption']).to.have.property('put');
  });
});
