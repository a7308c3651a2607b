import { expect } from 'chai';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { systemClock } from '../../../app/shared/kernel';
import { backfillSipIdentities, browserEndpointOf, createUsersModule, type User } from '../../../app/users';
import { uniquePhoneNumber, uniqueUsername } from '../../support/admin-client';
import { testEnv } from '../../support/test-env';

// Users created before the webrtc and media-encryption migrations (or by a release without the
// edge) get their browser identity and the edge's route at the controller's start, once. The
// backfill touches every live user of the database: it is given the stack's own edge address, as
// the stack's controller does at its start (app/config: SIP_EDGE_NODE_SIDE).
const EDGE = `sip:${process.env.SIP_EDGE_NODE_SIDE ?? testEnv.sipTarget}`;

describe('integration: SIP identities of older users backfilled at start', function () {
  let db: Database;
  let sql: Sql;
  let old: User;
  let current: User;

  // A user as a release before the browser identity and the edge left it: no ~web rows, no
  // outbound proxy, the contact rewritten, no Path kept.
  async function makeOld(user: User): Promise<void> {
    const web = browserEndpointOf(user.username);
    await db.psEndpoint.deleteMany({ where: { id: web } });
    await db.psAor.deleteMany({ where: { id: web } });
    await db.psAuth.deleteMany({ where: { id: web } });
    await db.psEndpoint.update({ where: { id: user.username }, data: { outboundProxy: null, rewriteContact: 'yes' } });
    await db.psAor.update({ where: { id: user.username }, data: { supportPath: 'no' } });
  }

  before(async function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 2 });
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 2, log: silentLogger });
    const users = createUsersModule({ db, sql, clock: systemClock, options: { realm: testEnv.sipRealm, maxDevicesPerUser: 3, behindEdge: true, edgeProxy: EDGE } });
    old = await users.create({ username: uniqueUsername('oldweb'), password: 'integration-pass', phoneNumber: uniquePhoneNumber() });
    current = await users.create({ username: uniqueUsername('newweb'), password: 'integration-pass', phoneNumber: uniquePhoneNumber() });
    await makeOld(old);
  });

  after(async function () {
    await db?.$disconnect();
    await sql?.end();
  });

  it('given a user without a browser identity nor the edge route, when the backfill runs, then both identities are as a new user\'s, and a second run changes nothing', async function () {
    const first = await backfillSipIdentities(db, { behindEdge: true, edgeProxy: EDGE });
    expect(first.browserIdentities, 'browser identities made').to.be.at.least(1);
    expect(first.edgeRoutes, 'endpoints given the edge route').to.be.at.least(1);

    const web = browserEndpointOf(old.username);
    const fields = { id: true, webrtc: true, mediaEncryption: true, mediaEncryptionOptimistic: true, allow: true, outboundProxy: true, rewriteContact: true, aors: true, auth: true, context: true } as const;
    const [oldWeb, currentWeb] = await Promise.all([
      db.psEndpoint.findUnique({ where: { id: web }, select: fields }),
      db.psEndpoint.findUnique({ where: { id: browserEndpointOf(current.username) }, select: fields }),
    ]);
    expect(oldWeb, 'the old user\'s browser endpoint').to.deep.equal({ ...currentWeb, id: web, aors: web, auth: web });
    expect(oldWeb?.outboundProxy).to.equal(`${EDGE}^3Blr`);

    const [oldAuth, oldWebAuth] = await Promise.all([db.psAuth.findUnique({ where: { id: old.username } }), db.psAuth.findUnique({ where: { id: web } })]);
    expect(oldWebAuth?.md5Cred, 'the browser logs in with the phone\'s credentials').to.equal(oldAuth?.md5Cred);
    expect(oldWebAuth?.username).to.equal(old.username);
    expect((await db.psAor.findUnique({ where: { id: web } }))?.supportPath).to.equal('yes');

    const phone = await db.psEndpoint.findUnique({ where: { id: old.username } });
    expect(phone?.outboundProxy).to.equal(`${EDGE}^3Blr`);
    expect(phone?.rewriteContact).to.equal('no');
    expect((await db.psAor.findUnique({ where: { id: old.username } }))?.supportPath).to.equal('yes');

    const second = await backfillSipIdentities(db, { behindEdge: true, edgeProxy: EDGE });
    expect(second).to.deep.equal({ browserIdentities: 0, edgeRoutes: 0 });
  });

  it('given a deleted user, when the backfill runs, then it gets no identity back', async function () {
    const users = createUsersModule({ db, sql, clock: systemClock, options: { realm: testEnv.sipRealm, maxDevicesPerUser: 3 } });
    const gone = await users.create({ username: uniqueUsername('goneweb'), password: 'integration-pass', phoneNumber: uniquePhoneNumber() });
    await users.delete(gone.id);
    await backfillSipIdentities(db, { behindEdge: true, edgeProxy: EDGE });
    expect(await db.psEndpoint.findUnique({ where: { id: browserEndpointOf(gone.username) } })).to.equal(null);
    expect(await db.psEndpoint.findUnique({ where: { id: gone.username } })).to.equal(null);
  });
});
