import { type Sql, type SqlQueries } from '../shared/infra/sql';
import { PgAccountStore, PgLedger } from './pg-account-store';
import { PgPricePlanStore } from './pg-price-plan-store';
import { PgReservationStore } from './pg-reservation-store';
import { type CallPathPersistence, type CallPathStores } from './ports';

const storesOf = (sql: SqlQueries): CallPathStores => ({
  accounts: new PgAccountStore(sql),
  ledger: new PgLedger(sql),
  reservations: new PgReservationStore(sql),
  plans: new PgPricePlanStore(sql),
});

// Billing's call path over plain SQL (see app/shared/infra/sql.ts for why): a unit of work is one
// database transaction. Unlike the Prisma adapter's, a transaction has no time limit of its own:
// each statement has the pool's statement timeout, and authorize and extend roll back what would
// be written after their deadline (deadline.ts).
export class PgCallPathPersistence implements CallPathPersistence {
  readonly stores: CallPathStores;

  constructor(private readonly sql: Sql) {
    this.stores = storesOf(sql);
  }

  transaction<T>(work: (stores: CallPathStores) => Promise<T>): Promise<T> {
    return this.sql.transaction((tx) => work(storesOf(tx)));
  }
}
