import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { type Contribution, emptyCounters } from '../../../app/routing';
import { PgSpeedMinutes } from '../../../app/routing/pg-speed-minutes';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { testEnv } from '../../support/test-env';

// Sums past 2^31 in the BIGINT columns, to see them come back exactly.
const contribution = (carrierId: string, prefix: string, answered: number): Contribution => ({
  carrierId,
  prefix,
  counters: { ...emptyCounters(), attempts: 1, answered, talkMs: answered * 3_000_000_000, pddCount: 1, pddMs: 1200, rxPackets: 5_000_000_000, lostPackets: 7 },
});

// The speed layer's write through plain SQL, against the profile's PostgreSQL: each call adds to
// its minute rows once, whatever the deliveries do.
describe('integration: speed-layer minutes through plain SQL', function () {
  let sql: Sql;
  let minutes: PgSpeedMinutes;
  const minute = new Date('2026-11-25T10:07:00.000Z');
  const consumer = `pg-speed-${randomUUID().slice(0, 8)}`;
  const carrier = `pg-speed-carrier-${randomUUID().slice(0, 8)}`;

  before(function () {
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 4, log: silentLogger });
    minutes = new PgSpeedMinutes(sql);
  });

  after(async function () {
    await sql?.query('DELETE FROM routing_quality_minutes WHERE carrier_id = $1', [carrier]);
    await sql?.end();
  });

  it("given two calls' contributions, then each minute row holds their sums, returned as numbers, exactly", async function () {
    const first = await minutes.applyOnce(consumer, randomUUID(), minute, [contribution(carrier, '44', 1), contribution(carrier, '4420', 1)]);
    expect(first?.map((row) => [row.prefix, row.counters.attempts])).to.have.deep.members([['44', 1], ['4420', 1]]);
    const second = await minutes.applyOnce(consumer, randomUUID(), minute, [contribution(carrier, '44', 0)]);
    expect(second).to.deep.equal([
      {
        carrierId: carrier,
        prefix: '44',
        minute: minute.getTime(),
        counters: { ...emptyCounters(), attempts: 2, answered: 1, talkMs: 3_000_000_000, pddCount: 2, pddMs: 2400, rxPackets: 10_000_000_000, lostPackets: 14 },
      },
    ]);
  });

  it('given the same event applied again, then nothing is added and nothing is returned', async function () {
    const eventId = randomUUID();
    const prefix = `1${Math.floor(Math.random() * 1000)}`;
    expect(await minutes.applyOnce(consumer, eventId, minute, [contribution(carrier, prefix, 1)])).to.have.length(1);
    expect(await minutes.applyOnce(consumer, eventId, minute, [contribution(carrier, prefix, 1)])).to.equal(undefined);
    const [row] = await sql.query<{ attempts: number }>('SELECT attempts FROM routing_quality_minutes WHERE carrier_id = $1 AND prefix = $2', [carrier, prefix]);
    expect(row?.attempts).to.equal(1);
  });

  it('given one event applied by two deliveries at once, then it is added once', async function () {
    const eventId = randomUUID();
    const prefix = `2${Math.floor(Math.random() * 1000)}`;
    const results = await Promise.all([0, 1].map(() => minutes.applyOnce(consumer, eventId, minute, [contribution(carrier, prefix, 1)])));
    expect(results.filter((rows) => rows === undefined)).to.have.length(1);
    const [row] = await sql.query<{ attempts: number }>('SELECT attempts FROM routing_quality_minutes WHERE carrier_id = $1 AND prefix = $2', [carrier, prefix]);
    expect(row?.attempts).to.equal(1);
  });
});
