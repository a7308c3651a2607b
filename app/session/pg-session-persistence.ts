import { applyOnceSql } from '../shared/infra/jetstream';
import { type Sql, type SqlQueries } from '../shared/infra/sql';
import { PgContactRegistry } from './pg-contact-registry';
import { PgSessionStore } from './pg-session-store';
import { PgUserDirectory } from './pg-user-directory';
import { type SessionPersistence, type SessionStores } from './ports';

const storesOf = (sql: SqlQueries): SessionStores => ({
  sessions: new PgSessionStore(sql),
  contacts: new PgContactRegistry(sql),
  users: new PgUserDirectory(sql),
});

// The session stores over PostgreSQL through plain SQL (app/shared/infra/sql.ts): the callee's
// devices are looked up on every call, and every registration refresh is a connection event. A
// unit of work is one database transaction.
export class PgSessionPersistence implements SessionPersistence {
  readonly stores: SessionStores;

  constructor(private readonly sql: Sql) {
    this.stores = storesOf(sql);
  }

  transaction<T>(work: (stores: SessionStores) => Promise<T>): Promise<T> {
    return this.sql.transaction((tx) => work(storesOf(tx)));
  }

  once(consumer: string, eventId: string, work: (stores: SessionStores) => Promise<void>): Promise<boolean> {
    return applyOnceSql(this.sql, consumer, eventId, (tx) => work(storesOf(tx)));
  }
}
