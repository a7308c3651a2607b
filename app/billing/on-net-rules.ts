import { isFree } from '../rating';
import { type PricePlan } from './price-plan';

// Users whose plan is remembered; past this, the least recently seen are forgotten (~100 bytes each).
const MAX_USERS = 100_000;

export interface OnNetRule {
  free: boolean;
  // Where it comes from: the user's own plan, or the default plan for a user not seen yet.
  source: 'plan' | 'default';
}

// What billing last knew of the price of on-net calls, for when it cannot read it (a database
// outage): each plan's on-net rule (free or not) and each recently seen user's plan. It is learned
// on use (every authorisation reads the caller's account and plan, every plan assignment) and
// refreshed on a timer (PricePlans.refreshOnNetRules). A user this instance has not seen is taken
// to be on the default plan, the plan new accounts get; a user whose plan's rule is unknown, or
// anyone when not even the default plan's rule is known, has no rule: the call fails closed.
export class OnNetRules {
  private readonly freeByPlan = new Map<string, boolean>();
  // In least recently seen order (a Map keeps insertion order; seen again = moved to the end).
  private readonly planByUser = new Map<string, string>();
  private defaultPlanId: string | undefined;

  constructor(private readonly maxUsers = MAX_USERS) {}

  rememberPlan(plan: Pick<PricePlan, 'id' | 'onNetRatePerMinuteMicros' | 'onNetConnectFeeMinor'>): void {
    this.freeByPlan.set(plan.id, isFree({ ratePerMinuteMicros: plan.onNetRatePerMinuteMicros, connectFeeMinor: plan.onNetConnectFeeMinor }));
  }

  rememberDefault(plan: Pick<PricePlan, 'id' | 'onNetRatePerMinuteMicros' | 'onNetConnectFeeMinor'>): void {
    this.rememberPlan(plan);
    this.defaultPlanId = plan.id;
  }

  rememberUser(userId: string, planId: string): void {
    this.planByUser.delete(userId);
    this.planByUser.set(userId, planId);
    if (this.planByUser.size > this.maxUsers) {
      const oldest = this.planByUser.keys().next();
      if (!oldest.done) this.planByUser.delete(oldest.value);
    }
  }

  ruleOf(userId: string): OnNetRule | undefined {
    const planId = this.planByUser.get(userId);
    if (planId !== undefined) {
      const free = this.freeByPlan.get(planId);
      return free === undefined ? undefined : { free, source: 'plan' };
    }
    const free = this.defaultPlanId === undefined ? undefined : this.freeByPlan.get(this.defaultPlanId);
    return free === undefined ? undefined : { free, source: 'default' };
  }

  knownUsers(): string[] {
    return [...this.planByUser.keys()];
  }
}
