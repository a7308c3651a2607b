import { type Clock } from '../shared/kernel';
import { type Logger, silentLogger } from '../shared/infra/logger';
import { type Database } from '../shared/infra/prisma';
import { type Sql } from '../shared/infra/sql';
import { Balances } from './balance-service';
import { BatchSettlement } from './batch-settlement';
import { BillingService } from './billing-service';
import { CallCreditAuthorizer } from './call-authorizer';
import { CallSettlement } from './call-settlement';
import { EndOfCallSettlement } from './end-of-call';
import { OnNetRules } from './on-net-rules';
import { type BillingOptions, billingOptions } from './options';
import { PgCallPathPersistence } from './pg-call-path-persistence';
import { type BillingPersistence, type CallPathPersistence } from './ports';
import { PricePlans } from './price-plan-service';
import { PrismaBillingPersistence } from './prisma-billing-persistence';

export interface BillingModuleDeps {
  db: Database;
  // The call path's plain SQL (authorize, extend, the price of a call), off Prisma's per-query
  // cost; without it (tools, some tests) everything goes through Prisma.
  sql?: Sql;
  clock: Clock;
  log?: Logger;
  options?: Partial<BillingOptions>;
}

export function createBillingModule(deps: BillingModuleDeps): BillingService {
  return createBillingService({
    persistence: new PrismaBillingPersistence(deps.db),
    ...(deps.sql ? { callPath: new PgCallPathPersistence(deps.sql) } : {}),
    clock: deps.clock,
    log: deps.log,
    options: deps.options,
  });
}

// The service over any persistence (unit tests use an in-memory one); the call path over its own
// when given one, else over the same.
export function createBillingService(deps: { persistence: BillingPersistence; callPath?: CallPathPersistence; clock: Clock; log?: Logger; options?: Partial<BillingOptions> }): BillingService {
  const log = (deps.log ?? silentLogger).child({ module: 'billing' });
  const options = billingOptions(deps.options);
  const rules = new OnNetRules();
  const callPath = deps.callPath ?? deps.persistence;
  const plans = new PricePlans(deps.persistence, callPath, options, log, rules);
  return new BillingService(
    new Balances(deps.persistence, plans, options, log, rules),
    plans,
    new CallCreditAuthorizer(callPath, plans, options, log, rules),
    new CallSettlement(deps.persistence, deps.clock, options, log),
    new BatchSettlement(deps.persistence, deps.clock, options.defaultCurrency, log),
    new EndOfCallSettlement(callPath, deps.clock, log),
  );
}

export { BillingService } from './billing-service';
export { type BillingOptions, DEFAULT_BILLING_OPTIONS } from './options';
export { type Balance, type Account, type LedgerEntry, type LedgerKind, MAX_BALANCE_MINOR } from './account';
export { type TopUp } from './balance-service';
export { type CallStart, type CallAuthorization } from './call-authorizer';
export { type CallCharge } from './settlement-plan';
export { type PricePlan, type PricePlanInput, type PlanRate } from './price-plan';
export { type PricePlanView, type RateImport } from './price-plan-service';
export { type Reservation, type RateSnapshot } from './reservation';
export * from './errors';
export type { BillingPersistence, BillingStores, CallPathPersistence, CallPathStores, AccountStore, Ledger, ReservationStore, PricePlanStore, UserDirectory } from './ports';
