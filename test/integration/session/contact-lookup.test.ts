import { expect } from 'chai';
import { Client } from 'pg';
import { testEnv } from '../../support/test-env';

// Asterisk's realtime lookup of an AOR's contacts, as res_config_pgsql sends it on every REGISTER
// and every call to a user. With millions of users it must be an index lookup, not a table scan.
describe('integration: PJSIP realtime contact lookup', function () {
  let client: Client;

  before(async function () {
    client = new Client({ connectionString: testEnv.databaseUrl });
    await client.connect();
  });

  after(async function () {
    await client?.end();
  });

  it("given the contacts table, when Asterisk looks up an AOR's contacts by id prefix, then PostgreSQL can answer from the primary key index", async function () {
    await client.query('BEGIN');
    try {
      // Scans off: the planner takes the index whenever the index can serve the prefix at all.
      await client.query('SET LOCAL enable_seqscan = off');
      const plan = await client.query<{ 'QUERY PLAN': string }>("EXPLAIN SELECT * FROM ps_contacts WHERE id LIKE 'alice^3B@%' ESCAPE '\\' ORDER BY id");
      const text = plan.rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(text).to.match(/Index (Only )?Scan using ps_contacts_pkey/);
      expect(text).to.match(/Index Cond: .*id.*>= 'alice\^3B@'/);
      expect(text).not.to.include('Seq Scan');
    } finally {
      await client.query('ROLLBACK');
    }
  });
});
