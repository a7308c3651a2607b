import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { silentLogger } from '../../../app/shared/infra/logger';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { createSql, type Sql } from '../../../app/shared/infra/sql';
import { systemClock } from '../../../app/shared/kernel';
import { createUsersModule, type User, type UserService } from '../../../app/users';
import { PgUserLookups } from '../../../app/users/pg-user-lookups';
import { uniquePhoneNumber, uniqueUsername } from '../../support/admin-client';
import { testEnv } from '../../support/test-env';

// The call path's user lookups through plain SQL, against the profile's PostgreSQL: the active
// user by id, username or number, as the Prisma queries found them.
describe('integration: user lookups through plain SQL', function () {
  let db: Database;
  let sql: Sql;
  let users: UserService;
  let lookups: PgUserLookups;
  let user: User;

  before(async function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 2 });
    sql = createSql({ url: testEnv.databaseUrl, poolSize: 2, log: silentLogger });
    // No cache: every lookup reaches the database.
    users = createUsersModule({ db, sql, clock: systemClock, options: { realm: testEnv.sipRealm, maxDevicesPerUser: 3 } });
    lookups = new PgUserLookups(sql);
    user = await users.create({ username: uniqueUsername('pglook'), password: 'integration-pass', phoneNumber: uniquePhoneNumber() });
  });

  after(async function () {
    await db?.$disconnect();
    await sql?.end();
  });

  it('given a user created a moment ago, then the lookups find them by id, username and number, whole', async function () {
    expect(await lookups.findActiveById(user.id)).to.deep.equal(user);
    expect(await lookups.findActiveByUsername(user.username)).to.deep.equal(user);
    expect(await lookups.findActiveByPhoneNumber(user.phoneNumber)).to.deep.equal(user);
    expect(await users.findByDialed(user.phoneNumber)).to.deep.equal(user);
    expect(await users.findByDialed(user.username)).to.deep.equal(user);
  });

  it('given values of nobody, a different case, or an id that is no UUID, then no user and no database error', async function () {
    expect(await lookups.findActiveById(randomUUID())).to.equal(undefined);
    expect(await lookups.findActiveById('not-a-uuid')).to.equal(undefined);
    expect(await lookups.findActiveByUsername(user.username.toUpperCase())).to.equal(undefined);
    expect(await lookups.findActiveByPhoneNumber('+19999999999')).to.equal(undefined);
  });

  it('given a deleted user, then no lookup finds them any more', async function () {
    const gone = await users.create({ username: uniqueUsername('pggone'), password: 'integration-pass', phoneNumber: uniquePhoneNumber() });
    await users.delete(gone.id);
    expect(await lookups.findActiveById(gone.id)).to.equal(undefined);
    expect(await lookups.findActiveByUsername(gone.username)).to.equal(undefined);
    expect(await lookups.findActiveByPhoneNumber(gone.phoneNumber)).to.equal(undefined);
    const error = await users.get(gone.id).catch((caught: unknown) => caught);
    expect(error).to.have.property('code', 'USER.NOT_FOUND');
  });
});
