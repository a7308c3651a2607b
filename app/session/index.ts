import { type Clock } from '../shared/kernel';
import { type Logger, silentLogger } from '../shared/infra/logger';
import { type Sql } from '../shared/infra/sql';
import { PgSessionPersistence } from './pg-session-persistence';
import { SessionService } from './session-service';

export function createSessionModule(deps: { sql: Sql; clock: Clock; log?: Logger }): SessionService {
  const log = (deps.log ?? silentLogger).child({ module: 'session' });
  return new SessionService({ persistence: new PgSessionPersistence(deps.sql), clock: deps.clock, log });
}

export { SessionService, type SessionServiceDeps } from './session-service';
export { applyConnectionEvent, type ConnectionEventOutcome } from './connection-events';
export * from './session';
export type { SessionPersistence, SessionStores, SessionStore, ContactRegistry, UserDirectory, SessionUser } from './ports';
