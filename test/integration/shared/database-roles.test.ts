import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { testEnv } from '../../support/test-env';

// Least privilege (prisma/roles.sql and the migration 20261207220000_least_privilege_roles): the
// controller's role writes rows but cannot change the schema, lift a trigger or rewrite an audit
// table; Asterisk's role sees only its ps_* tables.
describe('integration: database roles (least privilege)', function () {
  let owner: pg.Client;
  let app: pg.Client;
  let asterisk: pg.Client;

  const asRole = (user: string, password: string): pg.Client => {
    const url = new URL(testEnv.databaseUrl);
    url.username = user;
    url.password = password;
    return new pg.Client({ connectionString: url.toString() });
  };
  // The SQLSTATE a statement fails with (42501: insufficient_privilege), or 'ok'.
  const outcome = async (client: pg.Client, text: string, values: unknown[] = []): Promise<string> => {
    await client.query('SAVEPOINT probe');
    try {
      await client.query(text, values);
      await client.query('RELEASE SAVEPOINT probe');
      return 'ok';
    } catch (error) {
      await client.query('ROLLBACK TO SAVEPOINT probe');
      return (error as { code?: string }).code ?? String(error);
    }
  };

  before(async function () {
    owner = new pg.Client({ connectionString: testEnv.databaseUrl });
    app = new pg.Client({ connectionString: testEnv.appDatabaseUrl });
    asterisk = asRole(testEnv.all.PG_ASTERISK_USER ?? '', testEnv.all.PG_ASTERISK_PASSWORD ?? '');
    await Promise.all([owner.connect(), app.connect(), asterisk.connect()]);
    // Every probe runs in a transaction rolled back at the end: nothing a probe did stays.
    await Promise.all([app.query('BEGIN'), asterisk.query('BEGIN')]);
  });

  after(async function () {
    await Promise.all([app?.query('ROLLBACK'), asterisk?.query('ROLLBACK')].map((p) => p?.catch(() => undefined)));
    await Promise.all([owner?.end(), app?.end(), asterisk?.end()]);
  });

  it("given the app's role, then it appends to the audit tables but UPDATE, DELETE and TRUNCATE on them are refused", async function () {
    expect(await outcome(app, `INSERT INTO operator_audit_log (operator_name, role, action, source_ip) VALUES ('roles-test', 'admin', 'probe', '127.0.0.1')`)).to.equal('ok');
    expect(await outcome(app, `INSERT INTO li_audit_log (principal_type, action, outcome, status) VALUES ('operator', 'probe', 'allowed', 200)`)).to.equal('ok');
    for (const table of ['operator_audit_log', 'li_audit_log', 'li_events']) {
      expect(await outcome(app, `UPDATE ${table} SET id = id`), `UPDATE ${table}`).to.equal('42501');
      expect(await outcome(app, `DELETE FROM ${table}`), `DELETE ${table}`).to.equal('42501');
      expect(await outcome(app, `TRUNCATE ${table}`), `TRUNCATE ${table}`).to.equal('42501');
    }
    expect(await outcome(app, 'DELETE FROM li_chain_anchors'), 'chain anchors move only with a purge').to.equal('42501');
    expect(await outcome(app, 'INSERT INTO li_chain_anchors (warrant_id, seq, hash, purged) VALUES ($1, 1, $2, 0)', [randomUUID(), '0'.repeat(64)])).to.equal('42501');
  });

  it("given the app's role, then ALTER TABLE ... DISABLE TRIGGER, session_replication_role and any DDL are refused", async function () {
    expect(await outcome(app, 'ALTER TABLE operator_audit_log DISABLE TRIGGER operator_audit_log_no_update_delete')).to.equal('42501');
    expect(await outcome(app, 'ALTER TABLE li_audit_log DISABLE TRIGGER ALL')).to.equal('42501');
    expect(await outcome(app, 'ALTER TABLE invoices DISABLE TRIGGER invoices_closed_immutable')).to.equal('42501');
    expect(await outcome(app, 'SET session_replication_role = replica')).to.equal('42501');
    expect(await outcome(app, 'CREATE TABLE roles_probe (id int)')).to.equal('42501');
    expect(await outcome(app, 'DROP TABLE accounts')).to.equal('42501');
    expect(await outcome(app, 'ALTER TABLE accounts ADD COLUMN probe int')).to.equal('42501');
    expect(await outcome(app, 'DELETE FROM "_prisma_migrations"'), "the migrations' bookkeeping").to.equal('42501');
  });

  it("given the app's role, then it reads and writes the rows of the call path (users, accounts, ledger)", async function () {
    expect(await outcome(app, 'SELECT count(*) FROM users')).to.equal('ok');
    expect(await outcome(app, 'SELECT count(*) FROM accounts')).to.equal('ok');
    expect(await outcome(app, 'UPDATE accounts SET updated_at = updated_at WHERE false')).to.equal('ok');
  });

  it("given Asterisk's role, then reading users, accounts, the ledger or evidence is refused", async function () {
    for (const table of ['users', 'accounts', 'ledger_entries', 'call_records', 'li_events', 'operators', 'carriers']) {
      expect(await outcome(asterisk, `SELECT * FROM ${table} LIMIT 1`), table).to.equal('42501');
    }
    expect(await outcome(asterisk, 'UPDATE ps_endpoints SET context = context'), 'endpoints are read only').to.equal('42501');
    expect(await outcome(asterisk, 'UPDATE ps_auths SET password = password'), 'auths are read only').to.equal('42501');
  });

  it("given Asterisk's role, then it reads its ps_* tables and its writes of ps_contacts are recorded as registration changes", async function () {
    for (const table of ['ps_endpoints', 'ps_auths', 'ps_aors', 'ps_endpoint_id_ips', 'ps_registrations', 'ps_contacts']) {
      expect(await outcome(asterisk, `SELECT * FROM ${table} LIMIT 1`), table).to.equal('ok');
    }
    const id = `roles-probe;@${randomUUID()}`;
    expect(await outcome(asterisk, `INSERT INTO ps_contacts (id, uri, endpoint, expiration_time) VALUES ($1, 'sip:probe@127.0.0.1:5999', 'roles-probe', 4102444800)`, [id])).to.equal('ok');
    expect(await outcome(asterisk, 'DELETE FROM ps_contacts WHERE id = $1', [id])).to.equal('ok');
    // The trigger wrote registration_changes as its owner; the switch itself cannot read them.
    expect(await outcome(asterisk, 'SELECT * FROM registration_changes LIMIT 1')).to.equal('42501');
  });
});
