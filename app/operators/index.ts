import { type Clock } from '../shared/kernel';
import { type Sql } from '../shared/infra/sql';
import { BcryptPasswordHasher } from './bcrypt-password-hasher';
import { OperatorService } from './operator-service';
import { PgAuditLog } from './pg-audit-log';
import { PgOperatorStore } from './pg-operator-store';

export function createOperatorsModule(deps: { sql: Sql; clock: Clock; passwordCost?: number }): OperatorService {
  return new OperatorService(new PgOperatorStore(deps.sql), new PgAuditLog(deps.sql), new BcryptPasswordHasher(deps.passwordCost), deps.clock);
}

export { OperatorService } from './operator-service';
export * from './operator';
export type { AuditEntry, AuditQuery, AuditRecord } from './audit-entry';
