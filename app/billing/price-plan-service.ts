import { minorUnitDigits, type RateDeckSource, readRateDeck, type RateTable } from '../rating';
import { type Logger } from '../shared/infra/logger';
import { type Account } from './account';
import { InvalidRateFileError, PricePlanNameTakenError, PricePlanNotFoundError } from './errors';
import { type BillingOptions } from './options';
import { type OnNetRules } from './on-net-rules';
import { type BillingPersistence } from './ports';
import { newPricePlan, type PlanRate, type PricePlan, type PricePlanInput } from './price-plan';
import { candidatePrefixes, onNetSnapshot, pstnSnapshot } from './rate-selection';
import { type RateSnapshot } from './reservation';

export interface PricePlanView extends PricePlan {
  rateCount: number;
}

export interface RateImport {
  planId: string;
  // The plan's deck now: the file replaced the previous one.
  imported: number;
}

// Users whose plans are read again in one query when the on-net rules are refreshed.
const USERS_PER_QUERY = 10_000;

function* ratesOf(table: RateTable, descriptions: ReadonlyMap<number, string>): Generator<PlanRate> {
  for (const { tag, ...rate } of table.entries()) {
    const description = descriptions.get(tag);
    yield description ? { ...rate, description } : rate;
  }
}

// Price plans, their rate decks, and the price of a call under a plan.
export class PricePlans {
  private defaultPlanId: string | undefined;

  constructor(
    private readonly persistence: BillingPersistence,
    private readonly options: BillingOptions,
    private readonly log: Logger,
    private readonly rules: OnNetRules,
  ) {}

  async create(input: PricePlanInput): Promise<PricePlanView> {
    const plan = await this.persistence.stores.plans.create(newPricePlan(input));
    this.rules.rememberPlan(plan);
    this.log.info('price plan created', { planId: plan.id, name: plan.name, currency: plan.currency });
    return { ...plan, rateCount: 0 };
  }

  async get(planId: string): Promise<PricePlanView> {
    const { plans } = this.persistence.stores;
    const plan = await plans.find(planId);
    if (!plan) throw new PricePlanNotFoundError(planId);
    return { ...plan, rateCount: await plans.countRates(planId) };
  }

  // The file is the plan's whole deck: read and checked completely first (every bad or clashing
  // row reported, nothing imported), then written in batches in one transaction that replaces the
  // old deck, so calls see the old deck or the new one, never a mix.
  async importRates(planId: string, source: RateDeckSource): Promise<RateImport> {
    const plan = await this.persistence.stores.plans.find(planId);
    if (!plan) throw new PricePlanNotFoundError(planId);
    const descriptions = new Map<number, string>();
    const deck = await readRateDeck(source, {
      minorUnitDigits: minorUnitDigits(plan.currency),
      maxBytes: this.options.maxRateFileBytes,
      maxRows: this.options.maxRateRows,
      onRow: (rate) => {
        if (rate.description) descriptions.set(rate.tag, rate.description);
      },
    });
    if (!deck.ok) throw new InvalidRateFileError(deck.reason, deck.errors, deck.errorCount);
    const imported = await this.persistence.transaction(
      async ({ plans }) => {
        if (!(await plans.lock(planId))) throw new PricePlanNotFoundError(planId);
        return plans.replaceRates(planId, ratesOf(deck.table, descriptions));
      },
      { timeoutMs: this.options.rateImportTimeoutMs },
    );
    this.log.info('rate deck imported', { planId, rates: imported });
    return { planId, imported };
  }

  async find(planId: string): Promise<PricePlan> {
    const plan = await this.persistence.stores.plans.find(planId);
    if (!plan) throw new PricePlanNotFoundError(planId);
    return plan;
  }

  // The plan of new accounts, created on first use: the default currency, free on-net calls and
  // no PSTN rates until an operator imports some.
  async defaultPlan(): Promise<PricePlan> {
    const { plans } = this.persistence.stores;
    if (this.defaultPlanId) {
      const plan = await plans.find(this.defaultPlanId);
      if (plan) return plan;
    }
    const name = this.options.defaultPlanName;
    let plan = await plans.findByName(name);
    if (!plan) {
      try {
        plan = await plans.create(newPricePlan({ name, currency: this.options.defaultCurrency }));
        this.log.info('default price plan created', { planId: plan.id, name });
      } catch (error) {
        // Another instance created it first.
        if (!(error instanceof PricePlanNameTakenError)) throw error;
        plan = await plans.findByName(name);
        if (!plan) throw error;
      }
    }
    this.defaultPlanId = plan.id;
    this.rules.rememberDefault(plan);
    return plan;
  }

  // Reads again what OnNetRules remembers: every plan's on-net rule (the default plan created if
  // missing) and the plan of every user it knows, so that a plan assigned through another
  // instance reaches this one. Run at start and on a timer.
  async refreshOnNetRules(): Promise<void> {
    const { plans, accounts } = this.persistence.stores;
    const listed = await plans.list();
    for (const plan of listed) this.rules.rememberPlan(plan);
    const fallback = await this.defaultPlan();
    const known = new Set(listed.map((plan) => plan.id).concat(fallback.id));
    const users = this.rules.knownUsers();
    for (let start = 0; start < users.length; start += USERS_PER_QUERY) {
      const chunk = users.slice(start, start + USERS_PER_QUERY);
      const planIds = await accounts.plansOf(chunk);
      for (const userId of chunk) {
        const planId = planIds.get(userId);
        this.rules.rememberUser(userId, planId && known.has(planId) ? planId : fallback.id);
      }
    }
  }

  async planOf(account: Account | undefined): Promise<PricePlan> {
    if (account?.planId) {
      const plan = await this.persistence.stores.plans.find(account.planId);
      if (plan) return plan;
    }
    return this.defaultPlan();
  }

  // The retail price of a PSTN call of this user, read only (for routing, which must not choose a
  // carrier costing more than it): the account's plan, else the default plan if it exists yet.
  // undefined when no plan prices the destination. Nothing is created.
  async retailRateOf(userId: string, destination: string, at: Date): Promise<RateSnapshot | undefined> {
    const { accounts, plans } = this.persistence.stores;
    const account = await accounts.find(userId);
    const plan = (account?.planId ? await plans.find(account.planId) : undefined) ?? (await plans.findByName(this.options.defaultPlanName));
    return plan ? this.snapshotFor(plan, { destination, onNet: false, at }) : undefined;
  }

  // The price of a call under the plan; undefined when the plan has no rate for a PSTN number.
  async snapshotFor(plan: PricePlan, call: { destination: string; onNet: boolean; at: Date }): Promise<RateSnapshot | undefined> {
    if (call.onNet) return onNetSnapshot(plan, call.destination);
    const rates = await this.persistence.stores.plans.ratesMatching(plan.id, candidatePrefixes(call.destination));
    return pstnSnapshot(plan, rates, call.destination, call.at);
  }
}
