import { type Database } from '../shared/infra/prisma';
import { type Prisma } from '../shared/infra/prisma/generated/client';
import { prismaTransactionOf } from '../shared/infra/unit-of-work';
import { type UnitOfWork } from '../shared/kernel';
import { type BillingPersistence, type BillingStores, type UserDirectory } from './ports';
import { PrismaAccountStore, PrismaLedger } from './prisma-account-store';
import { PrismaPricePlanStore } from './prisma-price-plan-store';
import { PrismaReservationStore } from './prisma-reservation-store';
import { isUuid } from './uuid';

// Reads the users table (owned by the users module): is this an active user?
class PrismaUserDirectory implements UserDirectory {
  constructor(private readonly db: Prisma.TransactionClient) {}

  async isActive(userId: string): Promise<boolean> {
    if (!isUuid(userId)) return false;
    return (await this.db.user.count({ where: { id: userId, deletedAt: null } })) > 0;
  }
}

const storesOf = (db: Prisma.TransactionClient): BillingStores => ({
  accounts: new PrismaAccountStore(db),
  ledger: new PrismaLedger(db),
  reservations: new PrismaReservationStore(db),
  plans: new PrismaPricePlanStore(db),
  users: new PrismaUserDirectory(db),
});

// Billing's stores over PostgreSQL; a unit of work is one database transaction.
export class PrismaBillingPersistence implements BillingPersistence {
  readonly stores: BillingStores;

  constructor(private readonly db: Database) {
    this.stores = storesOf(db);
  }

  transaction<T>(work: (stores: BillingStores) => Promise<T>, options: { timeoutMs?: number } = {}): Promise<T> {
    return this.db.$transaction((tx) => work(storesOf(tx)), { timeout: options.timeoutMs ?? 5000, maxWait: 5000 });
  }

  within(work: UnitOfWork): BillingStores {
    return storesOf(prismaTransactionOf(work));
  }
}
