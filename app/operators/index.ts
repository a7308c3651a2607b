import { type Clock } from '../shared/kernel';
import { type Sql } from '../shared/infra/sql';
import { BcryptPasswordHasher } from './bcrypt-password-hasher';
import { ConsoleSessions } from './console-sessions';
import { OperatorService } from './operator-service';
import { PgAuditLog } from './pg-audit-log';
import { PgConsoleSessions } from './pg-console-sessions';
import { PgOperatorStore } from './pg-operator-store';

export interface OperatorsModule {
  service: OperatorService;
  sessions: ConsoleSessions;
}

export function createOperatorsModule(deps: { sql: Sql; clock: Clock; passwordCost?: number }): OperatorsModule {
  const service = new OperatorService(new PgOperatorStore(deps.sql), new PgAuditLog(deps.sql), new BcryptPasswordHasher(deps.passwordCost), deps.clock);
  return { service, sessions: new ConsoleSessions(new PgConsoleSessions(deps.sql), service, deps.clock) };
}

export { OperatorService } from './operator-service';
export { ConsoleSessions, SESSION_HOURS, type ConsoleSession } from './console-sessions';
export * from './operator';
export type { AuditEntry, AuditQuery, AuditRecord } from './audit-entry';
