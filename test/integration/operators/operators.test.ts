import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { createOperatorsModule, InvalidCredentialsError, OperatorUsernameTakenError, type OperatorService } from '../../../app/operators';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { systemClock } from '../../../app/shared/kernel';
import { testEnv } from '../../support/test-env';

const rejection = async (promise: Promise<unknown>): Promise<unknown> => promise.then(() => undefined, (error: unknown) => error);

describe('integration: operators and the operator audit log', function () {
  let sql: Sql;
  let operators: OperatorService;
  const username = (): string => `it-op-${randomUUID().slice(0, 8)}`;

  before(function () {
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 2, log: silentLogger });
    // A low bcrypt cost keeps the suite fast; the hash format is the same.
    operators = createOperatorsModule({ sql, clock: systemClock, passwordCost: 4 }).service;
  });

  after(async function () {
    await sql?.end();
  });

  it('given an operator, when it logs in with its password, then it is found; a wrong password, an unknown name or a disabled operator is refused alike', async function () {
    const name = username();
    const created = await operators.create({ username: name, password: 'correct horse battery', role: 'support' });
    expect((await operators.authenticatePassword(name, 'correct horse battery')).id).to.equal(created.id);
    expect(await rejection(operators.authenticatePassword(name, 'wrong horse battery'))).to.be.instanceOf(InvalidCredentialsError);
    expect(await rejection(operators.authenticatePassword(username(), 'correct horse battery'))).to.be.instanceOf(InvalidCredentialsError);
    await operators.update(created.id, { disabled: true });
    expect(await rejection(operators.authenticatePassword(name, 'correct horse battery'))).to.be.instanceOf(InvalidCredentialsError);
  });

  it('given an operator, then its password is stored as a bcrypt hash, never as given, and a second operator of the same name is refused', async function () {
    const name = username();
    await operators.create({ username: name, password: 'correct horse battery', role: 'billing' });
    const [row] = await sql.query<{ password_hash: string }>('SELECT password_hash FROM operators WHERE username = $1', [name]);
    expect(row?.password_hash).to.match(/^\$2[aby]\$04\$/);
    expect(row?.password_hash).to.not.include('correct horse');
    expect(await rejection(operators.create({ username: name, password: 'another password', role: 'admin' }))).to.be.instanceOf(OperatorUsernameTakenError);
  });

  it('given an issued token, then only its SHA-256 is stored, it authenticates its operator until revoked', async function () {
    const operator = await operators.create({ username: username(), password: 'correct horse battery', role: 'admin' });
    const { token, secret } = await operators.issueToken(operator.id, 'cli');
    const [row] = await sql.query<{ token_hash: Buffer }>('SELECT token_hash FROM operator_tokens WHERE id = $1', [token.id]);
    expect(row?.token_hash).to.have.length(32);
    expect(row?.token_hash.toString('latin1')).to.not.include(secret);
    expect((await operators.authenticateToken(secret))?.id).to.equal(operator.id);
    await operators.revokeToken(operator.id, token.id);
    expect(await operators.authenticateToken(secret)).to.equal(undefined);
    expect((await operators.listTokens(operator.id))[0]?.revokedAt).to.be.instanceOf(Date);
  });

  it('given an audit entry, when anyone tries to UPDATE, DELETE or TRUNCATE the audit log, then the database refuses and the entry is unchanged', async function () {
    const action = `test.${randomUUID().slice(0, 8)}`;
    await operators.recordChange({ principal: { name: 'tester', role: 'admin', via: 'break-glass' }, action, details: { n: 1 }, sourceIp: '127.0.0.1' });
    for (const statement of [
      'UPDATE operator_audit_log SET operator_name = $1 WHERE action = $2',
      'DELETE FROM operator_audit_log WHERE action = $2 AND operator_name <> $1',
    ]) {
      const error = (await rejection(sql.query(statement, ['someone-else', action]))) as Error | undefined;
      expect(error?.message).to.match(/append-only/);
    }
    expect(((await rejection(sql.query('TRUNCATE operator_audit_log'))) as Error | undefined)?.message).to.match(/append-only/);
    const [entry] = await operators.auditEntries({ action, limit: 10 });
    expect(entry).to.deep.include({ operatorName: 'tester', action, details: { n: 1 } });
  });

  it('given entries at different times, when the log is filtered by time range and operator, then only the matching entries come back', async function () {
    const name = `window-${randomUUID().slice(0, 8)}`;
    const before = new Date(Date.now() - 1000);
    await operators.recordChange({ principal: { name, role: 'billing', via: 'token', operatorId: randomUUID() }, action: 'balance.top_up', sourceIp: '10.0.0.1' });
    const after = new Date(Date.now() + 1000);
    expect(await operators.auditEntries({ operatorName: name, from: before, to: after, limit: 10 })).to.have.length(1);
    expect(await operators.auditEntries({ operatorName: name, from: after, limit: 10 })).to.have.length(0);
    expect(await operators.auditEntries({ operatorName: name, to: before, limit: 10 })).to.have.length(0);
  });
});
