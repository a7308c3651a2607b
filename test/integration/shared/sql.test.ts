import { expect } from 'chai';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { testEnv } from '../../support/test-env';

// The plain-SQL adapter of the call path, against the profile's PostgreSQL.
describe('integration: plain SQL over pg', function () {
  let sql: Sql;
  const table = `sql_test_${Date.now().toString(36)}`;

  before(async function () {
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 2, log: silentLogger });
    await sql.query(`CREATE TABLE ${table} (id int PRIMARY KEY, amount bigint NOT NULL, at timestamptz NOT NULL DEFAULT now())`);
  });

  after(async function () {
    await sql?.query(`DROP TABLE IF EXISTS ${table}`);
    await sql?.end();
  });

  it('given a bigint column, then it comes back as a JavaScript bigint, past 2^53 exactly, and timestamps as Dates', async function () {
    await sql.query(`INSERT INTO ${table} (id, amount) VALUES ($1, $2)`, [1, 9007199254740993n.toString()]);
    const [row] = await sql.query<{ amount: bigint; at: Date }>(`SELECT amount, at FROM ${table} WHERE id = $1`, [1], `${table}-by-id`);
    expect(row?.amount).to.equal(9007199254740993n);
    expect(row?.at).to.be.instanceOf(Date);
  });

  it('given a named statement, when it runs many times with other values, then each run gets its own rows', async function () {
    for (let id = 10; id < 20; id += 1) await sql.query(`INSERT INTO ${table} (id, amount) VALUES ($1, $2)`, [id, id * 100], `${table}-insert`);
    const rows = await Promise.all([12, 17].map((id) => sql.query<{ amount: bigint }>(`SELECT amount FROM ${table} WHERE id = $1`, [id], `${table}-amount-by-id`)));
    expect(rows.map(([row]) => row?.amount)).to.deep.equal([1200n, 1700n]);
  });

  it('given a transaction whose work throws, then nothing of it is kept and the error comes back; given one that resolves, then all of it is kept', async function () {
    const failure = new Error('refused');
    const thrown = await sql
      .transaction(async (tx) => {
        await tx.query(`INSERT INTO ${table} (id, amount) VALUES ($1, $2)`, [30, 1]);
        throw failure;
      })
      .catch((error: unknown) => error);
    expect(thrown).to.equal(failure);
    expect(await sql.query(`SELECT id FROM ${table} WHERE id = 30`)).to.deep.equal([]);
    const result = await sql.transaction(async (tx) => {
      await tx.query(`INSERT INTO ${table} (id, amount) VALUES ($1, $2)`, [31, 1]);
      await tx.query(`INSERT INTO ${table} (id, amount) VALUES ($1, $2)`, [32, 2]);
      return 'done';
    });
    expect(result).to.equal('done');
    expect((await sql.query<{ id: number }>(`SELECT id FROM ${table} WHERE id IN (31, 32) ORDER BY id`)).map((row) => row.id)).to.deep.equal([31, 32]);
  });

  it('given a statement running past the statement timeout, then it fails instead of holding its caller', async function () {
    const quick = createSql({ url: testEnv.databaseUrl, poolSize: 1, statementTimeoutMs: 200, log: silentLogger });
    try {
      const error = await quick.query('SELECT pg_sleep(2)').catch((caught: unknown) => caught);
      expect(String(error)).to.match(/statement timeout/);
    } finally {
      await quick.end();
    }
  });

  it('given a transaction whose connection the server ends under it, then the transaction fails, nothing of it is kept, the process goes on, and the pool serves the next query on a new connection', async function () {
    const lost: unknown[] = [];
    const onUncaught = (error: unknown): void => void lost.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const error = await sql
        .transaction(async (tx) => {
          await tx.query(`INSERT INTO ${table} (id, amount) VALUES ($1, $2)`, [40, 1]);
          const [me] = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
          // Another connection of the pool ends this one, as a server restart or failover would.
          await sql.query('SELECT pg_terminate_backend($1)', [me?.pid]);
          await new Promise((resolve) => setTimeout(resolve, 200));
          await tx.query(`INSERT INTO ${table} (id, amount) VALUES ($1, $2)`, [41, 1]);
        })
        .catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(Error);
      expect(lost, 'no error escaped as uncaught').to.deep.equal([]);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
    }
    expect(await sql.query(`SELECT id FROM ${table} WHERE id IN (40, 41)`)).to.deep.equal([]);
    const [row] = await sql.query<{ one: number }>('SELECT 1 AS one');
    expect(row?.one).to.equal(1);
  });
});
