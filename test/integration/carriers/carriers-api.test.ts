import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createAdminApi, listen } from '../../../app/admin-api';
import { createCarriersModule, type CarriersModule } from '../../../app/carriers';
import { AriOutboundRegistrations } from '../../../app/switch';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { systemClock } from '../../../app/shared/kernel';
import { AriRest } from '../../../app/switch';
import { createUsersModule } from '../../../app/users';
import { testEnv } from '../../support/test-env';

type Body = Record<string, unknown>;

// The carriers admin API in-process, against the real PostgreSQL of the stack, with registrations
// pushed to the stack's real Asterisk over ARI: what each request leaves in the PJSIP realtime
// tables Asterisk reads (ps_endpoints, ps_aors, ps_auths, ps_endpoint_id_ips, ps_registrations).
describe('integration: admin API carriers and their PJSIP realtime rows', function () {
  this.timeout(30_000);
  const token = 'integration-token-0123456789';
  let db: Database;
  let sql: Sql;
  let server: Server;
  let base: string;
  let ari: AriRest;
  let carriers: CarriersModule;
  const tag = Date.now().toString(36);
  let n = 0;

  const request = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Body }> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Body) : {} };
  };
  const create = async (fields: Body): Promise<Body> => {
    n += 1;
    const res = await request('POST', '/v1/carriers', { name: `it-${tag}-${n}`, host: '192.0.2.20', ...fields });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body;
  };
  const rowsOf = async (endpointId: unknown) => {
    const id = String(endpointId);
    const [endpoint, aor, auth, identify, registration] = await Promise.all([
      db.psEndpoint.findUnique({ where: { id } }),
      db.psAor.findUnique({ where: { id } }),
      db.psAuth.findUnique({ where: { id } }),
      db.psEndpointIdIp.findUnique({ where: { id } }),
      db.psRegistration.findUnique({ where: { id } }),
    ]);
    return { endpoint, aor, auth, identify, registration };
  };

  before(async function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 4 });
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 2, log: silentLogger });
    ari = new AriRest({ url: testEnv.ariUrl, user: testEnv.ariUser, password: testEnv.ariPassword, maxSockets: 2, timeoutMs: 5000 });
    carriers = createCarriersModule({ db, sql, clock: systemClock, registrations: new AriOutboundRegistrations(ari) });
    const users = createUsersModule({ db, sql, clock: systemClock, options: { realm: testEnv.sipRealm, maxDevicesPerUser: 3 } });
    server = await listen(createAdminApi({ token, users, carriers: carriers.service, log: silentLogger, health: [] }), '127.0.0.1', 0);
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async function () {
    // Nothing of this suite stays in Asterisk or in the tables.
    const { carriers: all } = (await request('GET', '/v1/carriers')).body as { carriers: Array<{ id: string; name: string }> };
    for (const carrier of all.filter((c) => c.name.startsWith(`it-${tag}-`))) await request('DELETE', `/v1/carriers/${carrier.id}`);
    server?.close();
    ari?.close();
    await db?.$disconnect();
    await sql?.end();
  });

  it('given a carrier with digest credentials and a registration, then every PJSIP row is written, Asterisk reads the registration, and the API never shows the password', async function () {
    const carrier = await create({ port: 5070, authUsername: 'acct-1234', authPassword: 's3cret pass', techPrefix: '0011', numberFormat: 'digits', registration: { expirationSeconds: 600 } });
    const id = carrier.endpointId;
    expect(carrier).to.include({ authUsername: 'acct-1234', numberFormat: 'digits', techPrefix: '0011', enabled: true });
    expect(carrier).to.not.have.property('authPassword');
    expect(carrier.registration).to.deep.equal({ serverUri: 'sip:192.0.2.20:5070', clientUri: 'sip:acct-1234@192.0.2.20:5070', expirationSeconds: 600, retryIntervalSeconds: 60 });

    const rows = await rowsOf(id);
    expect(rows.endpoint).to.include({ context: 'from-carriers', aors: id, outboundAuth: id, identifyBy: 'ip', transport: null, auth: null });
    expect(rows.aor).to.include({ contact: 'sip:192.0.2.20:5070', maxContacts: 1 });
    expect(rows.auth).to.include({ authType: 'userpass', username: 'acct-1234', password: 's3cret pass' });
    expect(rows.identify).to.include({ endpoint: id, match: '192.0.2.20' });
    expect(rows.registration).to.include({ serverUri: 'sip:192.0.2.20:5070', clientUri: 'sip:acct-1234@192.0.2.20:5070', outboundAuth: id, expiration: 600, retryInterval: 60, forbiddenRetryInterval: 60, fatalRetryInterval: 60, authRejectionPermanent: 'no' });

    // Asterisk's own view of the row, through the sorcery mapping of sorcery.conf/extconfig.conf.
    const seen = await ari.get<Array<{ attribute: string; value: string }>>(`/asterisk/config/dynamic/res_pjsip/registration/${String(id)}`);
    const attribute = (name: string): string | undefined => seen.find((a) => a.attribute === name)?.value;
    expect([attribute('server_uri'), attribute('client_uri'), attribute('outbound_auth'), attribute('expiration'), attribute('auth_rejection_permanent')]).to.deep.equal([
      'sip:192.0.2.20:5070',
      'sip:acct-1234@192.0.2.20:5070',
      String(id),
      '600',
      'false',
    ]);
    const listed = (await request('GET', '/v1/carriers')).body.carriers as Body[];
    expect(JSON.stringify(listed)).to.not.contain('s3cret');
  });

  it('given a trunk written before the switch went behind the edge, when a controller behind the edge starts (alignOutboundProxy), then the trunk sends through the edge; aligning again changes nothing; a switch without an edge sends straight again', async function () {
    const carrier = await create({});
    expect((await rowsOf(carrier.endpointId)).endpoint?.outboundProxy ?? null).to.equal(null);
    const behindEdge = createCarriersModule({ db, sql, clock: systemClock, registrations: new AriOutboundRegistrations(ari), behindEdge: true, edgeProxy: 'sip:127.0.2.1:5060' });
    expect(await behindEdge.service.alignOutboundProxy()).to.be.greaterThan(0);
    expect((await rowsOf(carrier.endpointId)).endpoint?.outboundProxy).to.equal('sip:127.0.2.1:5060^3Blr');
    expect(await behindEdge.service.alignOutboundProxy()).to.equal(0);
    await carriers.service.alignOutboundProxy();
    expect((await rowsOf(carrier.endpointId)).endpoint?.outboundProxy ?? null).to.equal(null);
  });

  it('given a carrier disabled and enabled again, then its trunk rows go and come back with the same credentials; the auth row is kept meanwhile', async function () {
    const carrier = await create({ authUsername: 'keeper', authPassword: 'kept-password', registration: {} });
    const path = `/v1/carriers/${String(carrier.id)}`;
    const disabled = await request('PATCH', path, { enabled: false });
    expect(disabled.body).to.include({ enabled: false, authUsername: 'keeper' });
    const whileDisabled = await rowsOf(carrier.endpointId);
    expect([whileDisabled.endpoint, whileDisabled.aor, whileDisabled.identify, whileDisabled.registration]).to.deep.equal([null, null, null, null]);
    expect(whileDisabled.auth).to.include({ username: 'keeper', password: 'kept-password' });

    // Another change while disabled writes nothing to Asterisk either.
    await request('PATCH', path, { techPrefix: '99' });
    expect((await rowsOf(carrier.endpointId)).endpoint).to.equal(null);

    const enabled = await request('PATCH', path, { enabled: true });
    expect(enabled.body).to.include({ enabled: true, authUsername: 'keeper', techPrefix: '99' });
    const back = await rowsOf(carrier.endpointId);
    expect(back.endpoint).to.include({ outboundAuth: carrier.endpointId });
    expect(back.auth).to.include({ username: 'keeper', password: 'kept-password' });
    expect(back.registration).to.include({ outboundAuth: carrier.endpointId, clientUri: 'sip:keeper@192.0.2.20:5060' });
    expect(back.identify).to.include({ match: '192.0.2.20' });
  });

  it('given a carrier created disabled, then no trunk rows exist until it is enabled, and then they carry the credentials given at creation', async function () {
    const carrier = await create({ enabled: false, authUsername: 'later', authPassword: 'from-the-start' });
    const before = await rowsOf(carrier.endpointId);
    expect([before.endpoint, before.aor, before.identify, before.registration]).to.deep.equal([null, null, null, null]);
    expect(before.auth).to.include({ username: 'later', password: 'from-the-start' });
    await request('PATCH', `/v1/carriers/${String(carrier.id)}`, { enabled: true });
    const after = await rowsOf(carrier.endpointId);
    expect(after.endpoint).to.include({ outboundAuth: carrier.endpointId });
    expect(after.auth).to.include({ password: 'from-the-start' });
  });

  it('given credentials and addresses at the longest the API allows, then they are stored; one character more is a 400, never a 500', async function () {
    const username = `u${'x'.repeat(63)}`;
    const password = `p${'y'.repeat(127)}`;
    // 17 addresses: 254 characters of inboundMatch (Asterisk's own column holds 80).
    const inboundMatch = Array.from({ length: 17 }, (_, i) => `198.51.100.${100 + i}`).join(',');
    expect(inboundMatch).to.have.length(254);
    const carrier = await create({ authUsername: username, authPassword: password, inboundMatch });
    const rows = await rowsOf(carrier.endpointId);
    expect(rows.auth).to.include({ username, password });
    expect(rows.identify?.match).to.equal(inboundMatch);

    for (const fields of [{ authUsername: `${username}z`, authPassword: password }, { authUsername: username, authPassword: `${password}z` }]) {
      const refused = await request('POST', '/v1/carriers', { name: `it-${tag}-long`, host: '192.0.2.20', ...fields });
      expect(refused.status, JSON.stringify(fields).length.toString()).to.equal(400);
      expect(refused.body.code).to.equal('REQUEST.INVALID');
    }
    const patched = await request('PATCH', `/v1/carriers/${String(carrier.id)}`, { authUsername: `${username}z`, authPassword: 'short' });
    expect(patched.status).to.equal(400);
  });

  it('given bad credentials or registration settings, then 400 names the field and nothing is written', async function () {
    const cases: Array<[Body, string, string]> = [
      [{ authPassword: 'no-user' }, 'CARRIER.INVALID', 'authUsername'],
      [{ authUsername: 'has space', authPassword: 'x' }, 'CARRIER.INVALID', 'authUsername'],
      [{ authUsername: 'ok', authPassword: 'tab\there' }, 'CARRIER.INVALID', 'authPassword'],
      [{ registration: {} }, 'CARRIER.INVALID', 'registration.clientUri'],
      [{ authUsername: 'ok', authPassword: 'x', registration: { serverUri: 'http://registrar' } }, 'CARRIER.INVALID', 'registration.serverUri'],
      [{ authUsername: 'ok', authPassword: 'x', registration: { expirationSeconds: 30 } }, 'REQUEST.INVALID', 'registration.expirationSeconds'],
      [{ authUsername: 'ok', authPassword: 'x', registration: { retryIntervalSeconds: 5 } }, 'REQUEST.INVALID', 'registration.retryIntervalSeconds'],
    ];
    for (const [fields, code, field] of cases) {
      const name = `it-${tag}-bad`;
      const res = await request('POST', '/v1/carriers', { name, host: '192.0.2.20', ...fields });
      const details = res.body.details as { field?: string; issues?: Array<{ path: string }> };
      expect([res.status, res.body.code, details.field ?? details.issues?.[0]?.path], JSON.stringify(fields)).to.deep.equal([400, code, field]);
      expect(await db.carrier.count({ where: { name } })).to.equal(0);
    }
  });

  it('given changes of transport, number format and registration, then the rows follow; registration null removes the ps_registrations row; delete removes every row', async function () {
    const carrier = await create({ authUsername: 'tcp-user', authPassword: 'pw', registration: { serverUri: 'sip:registrar.example.net', contactUser: '4420' } });
    const path = `/v1/carriers/${String(carrier.id)}`;
    const tcp = await request('PATCH', path, { transport: 'tcp', port: 5080, numberFormat: 'plus', techPrefix: '' });
    expect(tcp.body).to.include({ transport: 'tcp', port: 5080 });
    let rows = await rowsOf(carrier.endpointId);
    expect(rows.endpoint).to.include({ transport: 'transport-tcp' });
    expect(rows.aor).to.include({ contact: 'sip:192.0.2.20:5080;transport=tcp' });
    expect(rows.registration).to.include({ serverUri: 'sip:registrar.example.net', clientUri: 'sip:tcp-user@192.0.2.20:5080', contactUser: '4420', transport: 'transport-tcp' });

    const unregistered = await request('PATCH', path, { registration: null });
    expect(unregistered.body).to.not.have.property('registration');
    rows = await rowsOf(carrier.endpointId);
    expect(rows.registration).to.equal(null);
    expect(rows.endpoint).to.not.equal(null);

    expect((await request('DELETE', path)).status).to.equal(204);
    rows = await rowsOf(carrier.endpointId);
    expect(Object.values(rows)).to.deep.equal([null, null, null, null, null]);
    expect((await request('GET', path)).status).to.equal(404);
  });

  it('given an emergency carrier for US and CA, then it is returned with its countries and offered to the emergency call path; disabled, it is not', async function () {
    const created = await create({ emergency: true, emergencyCountries: ['US', 'CA'] });
    expect(created).to.include({ emergency: true });
    expect(created.emergencyCountries).to.deep.equal(['US', 'CA']);
    const offered = (await carriers.service.emergencyCarriers()).find((carrier) => carrier.carrierId === created.id);
    expect(offered?.countries).to.deep.equal(['US', 'CA']);
    expect(offered?.dialString('911')).to.equal(`PJSIP/911@${String(created.endpointId)}`);
    const patched = await request('PATCH', `/v1/carriers/${String(created.id)}`, { enabled: false });
    expect(patched.body).to.include({ emergency: true, enabled: false });
    expect((await carriers.service.emergencyCarriers()).some((carrier) => carrier.carrierId === created.id)).to.equal(false);
    const ordinary = await create({});
    expect(ordinary).to.include({ emergency: false });
    expect(ordinary.emergencyCountries).to.deep.equal([]);
  });

  it('given an emergency carrier without countries, or with a country that is no ISO code, then 400', async function () {
    const without = await request('POST', '/v1/carriers', { name: `it-${tag}-e1`, host: '192.0.2.21', emergency: true });
    expect(without.status).to.equal(400);
    expect(without.body).to.include({ code: 'CARRIER.INVALID' });
    const badCountry = await request('POST', '/v1/carriers', { name: `it-${tag}-e2`, host: '192.0.2.21', emergency: true, emergencyCountries: ['usa'] });
    expect(badCountry.status).to.equal(400);
  });
});

