import { type Clock } from '../shared/kernel';
import { type Logger, silentLogger } from '../shared/infra/logger';
import { type Database } from '../shared/infra/prisma';
import { Balances } from './balance-service';
import { BatchSettlement } from './batch-settlement';
import { BillingService } from './billing-service';
import { CallCreditAuthorizer } from './call-authorizer';
import { CallSettlement } from './call-settlement';
import { OnNetRules } from './on-net-rules';
import { type BillingOptions, billingOptions } from './options';
import { type BillingPersistence } from './ports';
import { PricePlans } from './price-plan-service';
import { PrismaBillingPersistence } from './prisma-billing-persistence';

export interface BillingModuleDeps {
  db: Database;
  clock: Clock;
  log?: Logger;
  options?: Partial<BillingOptions>;
}

export function createBillingModule(deps: BillingModuleDeps): BillingService {
  return createBillingService({ persistence: new PrismaBillingPersistence(deps.db), clock: deps.clock, log: deps.log, options: deps.options });
}

// The service over any persistence (unit tests use an in-memory one).
export function createBillingService(deps: { persistence: BillingPersistence; clock: Clock; log?: Logger; options?: Partial<BillingOptions> }): BillingService {
  const log = (deps.log ?? silentLogger).child({ module: 'billing' });
  const options = billingOptions(deps.options);
  const rules = new OnNetRules();
  const plans = new PricePlans(deps.persistence, options, log, rules);
  return new BillingService(
    new Balances(deps.persistence, plans, options, log, rules),
    plans,
    new CallCreditAuthorizer(deps.persistence, plans, options, log, rules),
    new CallSettlement(deps.persistence, deps.clock, options, log),
    new BatchSettlement(deps.persistence, deps.clock, options.defaultCurrency, log),
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
export type { BillingPersistence, BillingStores, AccountStore, Ledger, ReservationStore, PricePlanStore, UserDirectory } from './ports';
