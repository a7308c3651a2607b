import { type UnitOfWork } from '../shared/kernel';
import { type Account, type ComputedEntry, type LedgerEntry, type Movement } from './account';
import { type NewPricePlan, type PlanRate, type PricePlan } from './price-plan';
import { type NewReservation, type Reservation, type ReservationStatus, type VoidReservation } from './reservation';

// Within a unit of work, every call runs in that unit's transaction.

export interface AccountStore {
  find(userId: string): Promise<Account | undefined>;
  // Locks the account row until the unit of work ends: the money of one account moves one
  // change at a time, so no two calls can spend the same credit.
  lock(userId: string): Promise<Account | undefined>;
  // lock() for many accounts at once, in user id order (so concurrent batches cannot deadlock);
  // users without an account are left out.
  lockMany(userIds: readonly string[]): Promise<Map<string, Account>>;
  // Creates the account unless it exists.
  createIfMissing(account: { userId: string; currency: string; planId?: string }): Promise<void>;
  setPlan(userId: string, planId: string): Promise<void>;
  // The plan of each of these users that has an account (undefined: the default plan).
  plansOf(userIds: readonly string[]): Promise<Map<string, string | undefined>>;
}

export interface Ledger {
  // Applies the movement to the account and appends its entry, in one step. Refuses (undefined,
  // nothing written) a movement that would leave balance < reserved or reserved < 0.
  post(movement: Movement): Promise<LedgerEntry | undefined>;
  findTopUp(userId: string, reference: string): Promise<LedgerEntry | undefined>;
  // The batch form of post(), for entries whose running figures the caller computed with
  // afterMovement() while holding the accounts' locks: appends them in order and sets each account
  // to the figures of its last entry.
  appendMany(entries: readonly ComputedEntry[]): Promise<void>;
}

export interface ReservationStore {
  find(callId: string): Promise<Reservation | undefined>;
  findMany(callIds: readonly string[]): Promise<Map<string, Reservation>>;
  // false when the call already has one (its key is the call id): nothing is written.
  insert(reservation: NewReservation): Promise<boolean>;
  // Tombstones (status void) for calls that have no reservation; returns the call ids written
  // (a call that has one by now is left alone).
  insertVoid(tombstones: readonly VoidReservation[], at: Date): Promise<Set<string>>;
  grow(callId: string, to: { reservedMinor: bigint; reservedSeconds: number }): Promise<void>;
  close(callId: string, outcome: { status: Exclude<ReservationStatus, 'open'>; chargedMinor: bigint; at: Date }): Promise<void>;
  // close() as settled, for many calls at once.
  settleMany(settled: ReadonlyArray<{ callId: string; chargedMinor: bigint }>, at: Date): Promise<void>;
  // Open reservations created before `cutoff` whose call has had no ledger movement since.
  listStale(cutoff: Date, limit: number): Promise<Array<{ callId: string; userId: string }>>;
}

export interface PricePlanStore {
  // Throws PricePlanNameTakenError.
  create(plan: NewPricePlan): Promise<PricePlan>;
  find(id: string): Promise<PricePlan | undefined>;
  findByName(name: string): Promise<PricePlan | undefined>;
  // Every plan (operators keep a handful; their rates are not read).
  list(): Promise<PricePlan[]>;
  // Locks the plan until the unit of work ends (one rate import at a time).
  lock(id: string): Promise<PricePlan | undefined>;
  countRates(planId: string): Promise<number>;
  ratesMatching(planId: string, prefixes: readonly string[]): Promise<PlanRate[]>;
  // Replaces the plan's whole rate deck, written in batches; returns the rates written.
  replaceRates(planId: string, rates: Iterable<PlanRate>): Promise<number>;
}

// Active (not deleted) users, owned by the users module.
export interface UserDirectory {
  isActive(userId: string): Promise<boolean>;
}

export interface BillingStores {
  accounts: AccountStore;
  ledger: Ledger;
  reservations: ReservationStore;
  plans: PricePlanStore;
  users: UserDirectory;
}

export interface BillingPersistence {
  // Each call on its own.
  readonly stores: BillingStores;
  transaction<T>(work: (stores: BillingStores) => Promise<T>, options?: { timeoutMs?: number }): Promise<T>;
  // The stores inside a caller's unit of work (the invoice consumer's, for settle).
  within(work: UnitOfWork): BillingStores;
}

// What billing reads and writes on every call, synchronously with its set-up: authorize, extend and
// the price of a call (routing's retail price). A port of its own so that it can be served by a
// cheaper adapter than the rest (plain SQL: pg-call-path-persistence.ts). Any BillingPersistence
// is one too.
export type CallPathAccountStore = Pick<AccountStore, 'find' | 'lock'>;
export type CallPathLedger = Pick<Ledger, 'post'>;
export type CallPathReservationStore = Pick<ReservationStore, 'find' | 'insert' | 'grow' | 'close'>;
export type CallPathPricePlanStore = Pick<PricePlanStore, 'find' | 'findByName' | 'ratesMatching'>;

export interface CallPathStores {
  accounts: CallPathAccountStore;
  ledger: CallPathLedger;
  reservations: CallPathReservationStore;
  plans: CallPathPricePlanStore;
}

export interface CallPathPersistence {
  // Each call on its own.
  readonly stores: CallPathStores;
  transaction<T>(work: (stores: CallPathStores) => Promise<T>): Promise<T>;
}
