import { InvalidRateFileError, minorUnitDigits, type RateDeckSource, readRateDeck, type RateTable } from '../rating';
import { type Logger } from '../shared/infra/logger';
import { type Account } from './account';
import { PricePlanNameTakenError, PricePlanNotFoundError } from './errors';
import { type BillingOptions } from './options';
import { type OnNetRules } from './on-net-rules';
import { type BillingPersistence, type CallPathPersistence } from './ports';
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
  // The plans calls are priced with, by id, as read: a plan never changes once created (the API
  // creates plans and replaces their rate decks, and a call reads the rates it needs), so pricing a
  // call reads no plan but the caller's account and the rates. A caller's plan (re)assigned on
  // another instance is in the account, read on every call. A handful per operator: not bounded.
  private readonly known = new Map<string, PricePlan>();

  constructor(
    private readonly persistence: BillingPersistence,
    // What calls are priced with (every call: the account, a plan not read yet, the rates).
    private readonly callPath: CallPathPersistence,
    private readonly options: BillingOptions,
    private readonly log: Logger,
    private readonly rules: OnNetRules,
  ) {}

  async create(input: PricePlanInput): Promise<PricePlanView> {
    const plan = await this.persistence.stores.plans.create(newPricePlan(input));
    this.rules.rememberPlan(plan);
    this.known.set(plan.id, plan);
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
    const plan = (await this.existingDefaultPlan()) ?? (await this.createDefaultPlan());
    this.rules.rememberDefault(plan);
    return plan;
  }

  // The default plan if it exists yet; nothing is created.
  private async existingDefaultPlan(): Promise<PricePlan | undefined> {
    const known = this.defaultPlanId === undefined ? undefined : this.known.get(this.defaultPlanId);
    if (known) return known;
    const plan = await this.callPath.stores.plans.findByName(this.options.defaultPlanName);
    if (plan) {
      this.known.set(plan.id, plan);
      this.defaultPlanId = plan.id;
    }
    return plan;
  }

  private async createDefaultPlan(): Promise<PricePlan> {
    const name = this.options.defaultPlanName;
    try {
      const plan = await this.persistence.stores.plans.create(newPricePlan({ name, currency: this.options.defaultCurrency }));
      this.log.info('default price plan created', { planId: plan.id, name });
      this.known.set(plan.id, plan);
      this.defaultPlanId = plan.id;
      return plan;
    } catch (error) {
      // Another instance created it first.
      if (!(error instanceof PricePlanNameTakenError)) throw error;
      const plan = await this.existingDefaultPlan();
      if (!plan) throw error;
      return plan;
    }
  }

  // Reads again what OnNetRules remembers: every plan's on-net rule (the default plan created if
  // missing) and the plan of every user it knows, so that a plan assigned through another
  // instance reaches this one. Run at start and on a timer.
  async refreshOnNetRules(): Promise<void> {
    const { plans, accounts } = this.persistence.stores;
    const listed = await plans.list();
    for (const plan of listed) this.rules.rememberPlan(plan);
    // The plans calls are priced with, read again too: a plan changed or removed by hand in the
    // database (the API never changes one) reaches calls within this refresh's period.
    this.known.clear();
    for (const plan of listed) this.known.set(plan.id, plan);
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
      const plan = await this.planById(account.planId);
      if (plan) return plan;
    }
    return this.defaultPlan();
  }

  // A plan as read before, else read now (and kept).
  private async planById(planId: string): Promise<PricePlan | undefined> {
    const known = this.known.get(planId);
    if (known) return known;
    const plan = await this.callPath.stores.plans.find(planId);
    if (plan) this.known.set(plan.id, plan);
    return plan;
  }

  // The retail price of a PSTN call of this user, read only (for routing, which must not choose a
  // carrier costing more than it): the account's plan, else the default plan if it exists yet.
  // undefined when no plan prices the destination. Nothing is created.
  async retailRateOf(userId: string, destination: string, at: Date): Promise<RateSnapshot | undefined> {
    const account = await this.callPath.stores.accounts.find(userId);
    const plan = (account?.planId ? await this.planById(account.planId) : undefined) ?? (await this.existingDefaultPlan());
    return plan ? this.snapshotFor(plan, { destination, onNet: false, at }) : undefined;
  }

  // The price of a call under the plan; undefined when the plan has no rate for a PSTN number.
  async snapshotFor(plan: PricePlan, call: { destination: string; onNet: boolean; at: Date }): Promise<RateSnapshot | undefined> {
    if (call.onNet) return onNetSnapshot(plan, call.destination);
    const rates = await this.callPath.stores.plans.ratesMatching(plan.id, candidatePrefixes(call.destination));
    return pstnSnapshot(plan, rates, call.destination, call.at);
  }
}
