import { type Clock } from '../shared/kernel';
import { type Database } from '../shared/infra/prisma';
import { type Sql } from '../shared/infra/sql';
import { PgUserLookups } from './pg-user-lookups';
import { PrismaUserRepository } from './prisma-user-repository';
import { UserService, type UserServiceOptions } from './user-service';

export function createUsersModule(deps: { db: Database; sql: Sql; clock: Clock; options: UserServiceOptions }): UserService {
  return new UserService(new PrismaUserRepository(deps.db, new PgUserLookups(deps.sql)), deps.clock, deps.options);
}

export { UserService } from './user-service';
export * from './user';
export {
  sipIdentityFor,
  browserSipIdentityFor,
  sipIdentitiesFor,
  browserEndpointOf,
  usernameOfEndpoint,
  digestHa1,
  mediaEncryptionOf,
  USERS_CONTEXT,
  type SipIdentity,
} from './sip-identity';
export type { UserLookups, UserRepository } from './ports';
export { backfillSipIdentities, type IdentityBackfillOptions, type IdentityBackfillResult } from './identity-backfill';
