import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { applyOnceSql } from '../../../app/shared/infra/jetstream';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createSql, type Sql, type SqlQueries } from '../../../app/shared/infra/sql';
import { testEnv } from '../../support/test-env';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// applyOnce over plain SQL, against the profile's PostgreSQL: the processed mark and the work
// commit together or not at all, whatever the deliveries do.
describe('integration: applying an event once through plain SQL', function () {
  let sql: Sql;
  const table = `apply_once_test_${Date.now().toString(36)}`;

  // The work's own effect: one row per application.
  const effect = async (tx: SqlQueries, eventId: string): Promise<void> => {
    await tx.query(`INSERT INTO ${table} (event_id) VALUES ($1)`, [eventId]);
  };
  const effects = async (eventId: string): Promise<number> => (await sql.query(`SELECT 1 FROM ${table} WHERE event_id = $1`, [eventId])).length;
  const marks = async (consumer: string, eventId: string): Promise<Date[]> =>
    (await sql.query<{ processed_at: Date }>('SELECT processed_at FROM processed_events WHERE consumer = $1 AND event_id = $2', [consumer, eventId])).map((row) => row.processed_at);

  before(async function () {
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 4, log: silentLogger });
    await sql.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, event_id text NOT NULL)`);
  });

  after(async function () {
    await sql?.query(`DROP TABLE IF EXISTS ${table}`);
    await sql?.end();
  });

  it('given the same event applied twice, then the work runs once and one mark is kept, dated when it was applied', async function () {
    const consumer = `sql-once-${randomUUID().slice(0, 8)}`;
    const eventId = randomUUID();
    const before = Date.now();
    const results = [await applyOnceSql(sql, consumer, eventId, (tx) => effect(tx, eventId)), await applyOnceSql(sql, consumer, eventId, (tx) => effect(tx, eventId))];
    expect(results).to.deep.equal([true, false]);
    expect(await effects(eventId)).to.equal(1);
    const [mark, ...others] = await marks(consumer, eventId);
    expect(others).to.deep.equal([]);
    expect(mark?.getTime()).to.be.within(before - 1000, Date.now() + 1000);
  });

  it('given two concurrent applications of one event, then the second waits for the first, finds its mark, and skips', async function () {
    const consumer = `sql-once-${randomUUID().slice(0, 8)}`;
    const eventId = randomUUID();
    const work = async (tx: SqlQueries): Promise<void> => {
      await effect(tx, eventId);
      await sleep(150);
    };
    const results = await Promise.all([applyOnceSql(sql, consumer, eventId, work), applyOnceSql(sql, consumer, eventId, work)]);
    expect(results).to.have.members([true, false]);
    expect(await effects(eventId)).to.equal(1);
  });

  it('given work that fails, then neither its effect nor the mark is kept, and the next delivery applies it', async function () {
    const consumer = `sql-once-${randomUUID().slice(0, 8)}`;
    const eventId = randomUUID();
    const failure = new Error('database hiccup');
    const thrown = await applyOnceSql(sql, consumer, eventId, async (tx) => {
      await effect(tx, eventId);
      throw failure;
    }).catch((error: unknown) => error);
    expect(thrown).to.equal(failure);
    expect(await effects(eventId)).to.equal(0);
    expect(await marks(consumer, eventId)).to.deep.equal([]);
    expect(await applyOnceSql(sql, consumer, eventId, (tx) => effect(tx, eventId))).to.equal(true);
    expect(await effects(eventId)).to.equal(1);
  });

  it('given a concurrent first delivery that fails, then the waiting second one applies the event', async function () {
    const consumer = `sql-once-${randomUUID().slice(0, 8)}`;
    const eventId = randomUUID();
    // The work starts once the mark is inserted: the second delivery then meets it.
    let marked: () => void = () => undefined;
    const firstMarked = new Promise<void>((resolve) => (marked = resolve));
    const first = applyOnceSql(sql, consumer, eventId, async (tx) => {
      marked();
      await effect(tx, eventId);
      await sleep(150);
      throw new Error('first delivery failed');
    }).catch(() => 'failed' as const);
    await firstMarked;
    const second = applyOnceSql(sql, consumer, eventId, (tx) => effect(tx, eventId));
    expect(await Promise.all([first, second])).to.deep.equal(['failed', true]);
    expect(await effects(eventId)).to.equal(1);
    expect(await marks(consumer, eventId)).to.have.length(1);
  });
});
