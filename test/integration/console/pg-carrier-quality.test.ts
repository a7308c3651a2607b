import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { PgCarrierQuality } from '../../../app/console';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { testEnv } from '../../support/test-env';

const MINUTE = 60_000;

// The carriers page's quality per prefix over time, read from the routing speed layer's minutes
// (as the routing consumer writes them) with the rate of the deck's longest covering prefix.
describe('integration: carrier quality per prefix over time', function () {
  const carrierId = randomUUID();
  const other = randomUUID();
  const base = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000);
  let sql: Sql;

  const minute = (carrier: string, prefix: string, at: Date, attempts: number, answered: number): Promise<unknown> =>
    sql.query(
      `INSERT INTO routing_quality_minutes (carrier_id, prefix, minute, attempts, answered, talk_ms, pdd_count, pdd_ms, media_count, mes_count, mes_milli, jitter_micros, rx_packets, lost_packets)
       VALUES ($1, $2, $3, $4, $5, $6, $4, $4 * 400, $5, $5, $5 * 4200, 0, 0, 0)`,
      [carrier, prefix, at, attempts, answered, answered * 30_000],
    );

  before(async function () {
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 2, log: silentLogger });
    await sql.query('INSERT INTO carrier_rates (carrier_id, prefix, rate_per_minute_micros) VALUES ($1, $2, 10000), ($1, $3, 25000)', [carrierId, '44', '4420']);
    await minute(carrierId, '4420', base, 4, 3);
    await minute(carrierId, '4420', new Date(base.getTime() + 2 * MINUTE), 2, 0);
    await minute(carrierId, '4420', new Date(base.getTime() + 6 * MINUTE), 1, 1);
    await minute(carrierId, '447', base, 5, 5);
    await minute(carrierId, '33', base, 1, 0);
    await minute(other, '4420', base, 9, 9);
  });

  after(async function () {
    await sql.query('DELETE FROM routing_quality_minutes WHERE carrier_id IN ($1, $2)', [carrierId, other]);
    await sql.query('DELETE FROM carrier_rates WHERE carrier_id = $1::uuid', [carrierId]);
    await sql?.end();
  });

  it('given minutes of a carrier, then they are summed per prefix and bucket, each prefix with the rate of its longest deck prefix, and other carriers are left out', async function () {
    const prefixes = await new PgCarrierQuality(sql).history({ carrierId, from: base, to: new Date(base.getTime() + 3_600_000), bucketSeconds: 300 });
    expect(prefixes.map((p) => [p.prefix, p.ratePerMinuteMicros])).to.deep.equal([['33', undefined], ['4420', 25_000n], ['447', 10_000n]]);
    const london = prefixes.find((p) => p.prefix === '4420')!;
    expect(london.points.map((p) => [p.at.getTime() - base.getTime(), p.attempts, p.answered, p.talkMs, p.pddCount, p.pddMs, p.mesCount, p.mesMilli])).to.deep.equal([
      [0, 6, 3, 90_000, 6, 2400, 3, 12_600],
      [5 * MINUTE, 1, 1, 30_000, 1, 400, 1, 4200],
    ]);
  });

  it('given a range, then only minutes inside it are read', async function () {
    const prefixes = await new PgCarrierQuality(sql).history({ carrierId, from: new Date(base.getTime() + 5 * MINUTE), to: new Date(base.getTime() + 10 * MINUTE), bucketSeconds: 300 });
    expect(prefixes.map((p) => [p.prefix, p.points.length])).to.deep.equal([['4420', 1]]);
  });
});
