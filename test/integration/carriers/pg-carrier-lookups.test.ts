import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createCarriersModule, type CarriersModule, type OutboundRegistrations } from '../../../app/carriers';
import { PgCarrierLookups } from '../../../app/carriers/pg-carrier-lookups';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { systemClock } from '../../../app/shared/kernel';
import { testEnv } from '../../support/test-env';

// The switch is not what this suite is about: the pushes of registrations go nowhere.
const noSwitch: OutboundRegistrations = { apply: () => Promise.resolve(), purge: () => Promise.resolve() };

// The call path's carrier lookups through plain SQL, against the profile's PostgreSQL: the carrier
// as the admin API wrote it, for an outbound attempt and for a call from the phone network.
describe('integration: carrier lookups through plain SQL', function () {
  const tag = `pgc-${Date.now().toString(36)}`;
  let db: Database;
  let sql: Sql;
  let carriers: CarriersModule;
  let lookups: PgCarrierLookups;

  before(function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 2 });
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 2, log: silentLogger });
    carriers = createCarriersModule({ db, sql, clock: systemClock, registrations: noSwitch });
    lookups = new PgCarrierLookups(sql);
  });

  after(async function () {
    for (const carrier of await carriers.service.list()) if (carrier.name.startsWith(tag)) await carriers.service.delete(carrier.id);
    await db?.$disconnect();
    await sql?.end();
  });

  it('given a carrier with every setting, then it is found whole by id and by endpoint, as the admin API returned it', async function () {
    const created = await carriers.service.create({
      name: `${tag}-full`,
      host: '192.0.2.30',
      port: 5080,
      transport: 'tcp',
      authUsername: 'acct-9',
      authPassword: 'secret-9',
      numberFormat: 'digits',
      techPrefix: '0011',
      maxConcurrentCalls: 7,
      inboundMatch: '192.0.2.30,192.0.2.31',
      allowAboveRetail: true,
      registration: { contactUser: 'trunk9', expirationSeconds: 900 },
    });
    expect(await lookups.find(created.id)).to.deep.equal(created);
    expect(await lookups.findByEndpoint(created.endpointId)).to.deep.equal(created);
    expect(await carriers.service.dialTarget(created.id, '+14155550100')).to.deep.equal({ carrierId: created.id, endpoint: `PJSIP/001114155550100@${created.endpointId}`, maxConcurrentCalls: 7 });
  });

  it('given a disabled carrier, then it is still found, but gets no calls; given a deleted one, then it is found no more', async function () {
    const created = await carriers.service.create({ name: `${tag}-off`, host: '192.0.2.32' });
    const disabled = await carriers.service.update(created.id, { enabled: false });
    expect(await lookups.find(created.id)).to.deep.equal(disabled);
    expect(await carriers.service.dialTarget(created.id, '+14155550100')).to.equal(undefined);
    expect(await carriers.service.carrierOfEndpoint(created.endpointId)).to.equal(undefined);
    await carriers.service.update(created.id, { enabled: true });
    expect(await carriers.service.carrierOfEndpoint(created.endpointId)).to.equal(created.id);
    await carriers.service.delete(created.id);
    expect(await lookups.find(created.id)).to.equal(undefined);
    expect(await lookups.findByEndpoint(created.endpointId)).to.equal(undefined);
  });

  it('given an unknown id, an id that is no UUID or an unknown endpoint, then no carrier and no database error', async function () {
    expect(await lookups.find(randomUUID())).to.equal(undefined);
    expect(await lookups.find('carrier_x')).to.equal(undefined);
    expect(await lookups.findByEndpoint('carrier_nobody')).to.equal(undefined);
  });
});
