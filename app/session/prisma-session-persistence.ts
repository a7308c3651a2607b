import { applyOnce } from '../shared/infra/jetstream';
import { type Database } from '../shared/infra/prisma';
import { type Prisma } from '../shared/infra/prisma/generated/client';
import { type SessionPersistence, type SessionStores } from './ports';
import { PrismaContactRegistry } from './prisma-contact-registry';
import { PrismaSessionStore } from './prisma-session-store';
import { PrismaUserDirectory } from './prisma-user-directory';

const storesOf = (db: Prisma.TransactionClient): SessionStores => ({
  sessions: new PrismaSessionStore(db),
  contacts: new PrismaContactRegistry(db),
  users: new PrismaUserDirectory(db),
});

// The session stores over PostgreSQL; a unit of work is one database transaction.
export class PrismaSessionPersistence implements SessionPersistence {
  readonly stores: SessionStores;

  constructor(private readonly db: Database) {
    this.stores = storesOf(db);
  }

  transaction<T>(work: (stores: SessionStores) => Promise<T>): Promise<T> {
    return this.db.$transaction((tx) => work(storesOf(tx)));
  }

  once(consumer: string, eventId: string, work: (stores: SessionStores) => Promise<void>): Promise<boolean> {
    return applyOnce(this.db, consumer, eventId, (tx) => work(storesOf(tx)));
  }
}
