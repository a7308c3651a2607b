import { type SqlQueries } from '../shared/infra/sql';
import { type CallPathPricePlanStore } from './ports';
import { type PlanRate, type PricePlan } from './price-plan';
import { type PlanRow, type RateRow, toPlan, toRate } from './rows';
import { isUuid } from './uuid';

const PLAN_COLUMNS = `
  id::text AS id, name, currency, on_net_rate_per_minute_micros AS "onNetRatePerMinuteMicros", on_net_connect_fee_minor AS "onNetConnectFeeMinor",
  first_increment_seconds AS "firstIncrementSeconds", next_increment_seconds AS "nextIncrementSeconds", rounding, time_zone AS "timeZone", created_at AS "createdAt"`;
const FIND = `SELECT ${PLAN_COLUMNS} FROM price_plans WHERE id = $1::uuid`;
const FIND_BY_NAME = `SELECT ${PLAN_COLUMNS} FROM price_plans WHERE name = $1`;
// One statement text whatever the number of candidate prefixes (an array), so it is prepared once.
const RATES_MATCHING = `
  SELECT prefix, rate_per_minute_micros AS "ratePerMinuteMicros", connect_fee_minor AS "connectFeeMinor",
         first_increment_seconds AS "firstIncrementSeconds", next_increment_seconds AS "nextIncrementSeconds",
         time_from_minute AS "timeFromMinute", time_to_minute AS "timeToMinute", description
  FROM plan_rates WHERE plan_id = $1::uuid AND prefix = ANY($2::text[])`;

// The price plans and rates a call is priced with, in plain SQL. Plans are created and their decks
// imported through the Prisma adapter (the admin API).
export class PgPricePlanStore implements CallPathPricePlanStore {
  constructor(private readonly sql: SqlQueries) {}

  async find(id: string): Promise<PricePlan | undefined> {
    if (!isUuid(id)) return undefined;
    const [row] = await this.sql.query<PlanRow>(FIND, [id], 'billing-plan-find');
    return row ? toPlan(row) : undefined;
  }

  async findByName(name: string): Promise<PricePlan | undefined> {
    const [row] = await this.sql.query<PlanRow>(FIND_BY_NAME, [name], 'billing-plan-find-by-name');
    return row ? toPlan(row) : undefined;
  }

  async ratesMatching(planId: string, prefixes: readonly string[]): Promise<PlanRate[]> {
    if (prefixes.length === 0) return [];
    const rows = await this.sql.query<RateRow>(RATES_MATCHING, [planId, prefixes], 'billing-plan-rates-matching');
    return rows.map(toRate);
  }
}
