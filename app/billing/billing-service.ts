import { type RateDeckSource } from '../rating';
import { type CallEnded } from '../shared/events';
import { type UnitOfWork } from '../shared/kernel';
import { type Balance } from './account';
import { type Balances, type TopUp } from './balance-service';
import { type CallAuthorization, type CallCreditAuthorizer, type CallStart } from './call-authorizer';
import { type BatchSettlement } from './batch-settlement';
import { type CallSettlement } from './call-settlement';
import { type EndOfCallSettlement } from './end-of-call';
import { type PricePlanInput } from './price-plan';
import { type PricePlans, type PricePlanView, type RateImport } from './price-plan-service';
import { type RateSnapshot } from './reservation';
import { type CallCharge } from './settlement-plan';

// The billing service: the design's addBalance/getBalance, price plans, and the call path's
// authorize/extend (call-state's CallAuthorizer) and settle/settleMany (the invoice consumer's
// CallSettlement).
export class BillingService {
  constructor(
    private readonly balances: Balances,
    private readonly plans: PricePlans,
    private readonly authorizer: CallCreditAuthorizer,
    private readonly settlement: CallSettlement,
    private readonly batch: BatchSettlement,
    private readonly endOfCall: EndOfCallSettlement,
  ) {}

  addBalance(userId: string, topUp: TopUp): Promise<Balance> {
    return this.balances.addBalance(userId, topUp);
  }

  getBalance(userId: string): Promise<Balance> {
    return this.balances.getBalance(userId);
  }

  assignPlan(userId: string, planId: string): Promise<Balance> {
    return this.balances.assignPlan(userId, planId);
  }

  createPricePlan(input: PricePlanInput): Promise<PricePlanView> {
    return this.plans.create(input);
  }

  getPricePlan(planId: string): Promise<PricePlanView> {
    return this.plans.get(planId);
  }

  // CSV text, or a stream of chunks (an HTTP request body).
  importRates(planId: string, csv: RateDeckSource): Promise<RateImport> {
    return this.plans.importRates(planId, csv);
  }

  // The retail price of a PSTN call of this user (its plan's rate for the destination), read only.
  retailRateOf(userId: string, destination: string, at: Date): Promise<RateSnapshot | undefined> {
    return this.plans.retailRateOf(userId, destination, at);
  }

  authorize(request: CallStart): Promise<CallAuthorization> {
    return this.authorizer.authorize(request);
  }

  extend(callId: string): Promise<CallAuthorization> {
    return this.authorizer.extend(callId);
  }

  // What authorize answers when billing cannot be reached, from what it last knew (call-state asks
  // it if an authorizer ever throws).
  outageAnswer(request: CallStart): CallAuthorization {
    return this.authorizer.outageAnswer(request);
  }

  // Run at start and on a timer: what outageAnswer knows of plans and users, read again.
  refreshOnNetRules(): Promise<void> {
    return this.plans.refreshOnNetRules();
  }

  settle(work: UnitOfWork, event: CallEnded): Promise<CallCharge | undefined> {
    return this.settlement.settle(work, event);
  }

  // settle() of each event, one after the other in one unit of work, in a few statements.
  settleMany(work: UnitOfWork, events: readonly CallEnded[]): Promise<Array<CallCharge | undefined>> {
    return this.batch.settleMany(work, events);
  }

  // call-state's settleEnded: a paid call settled by the call path as it ends (end-of-call.ts), so
  // its credit is free again without waiting for the event stream; settle() later repeats nothing.
  async settleEnded(event: CallEnded): Promise<void> {
    await this.endOfCall.settleAtEnd(event);
  }

  releaseStaleReservations(): Promise<number> {
    return this.settlement.releaseStaleReservations();
  }
}
