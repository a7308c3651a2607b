import { AssignPricePlanRequest, BalanceResponse, CreatePricePlanRequest, PricePlanResponse, RateImportResponse, TopUpRequest } from './billing-schemas';
import { type SchemaOf, body, error, json, unauthorized } from './openapi-parts';

const uuid = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

const RATE_CSV_EXAMPLE = [
  'prefix,rate_per_minute,connect_fee,first_increment,next_increment,time_from,time_to',
  '44,0.05,0.01,60,60,,',
  '4420,0.02,,,,,',
  '4420,0.01,,,,19:00,07:00',
  '1,0.012,,1,1,,',
].join('\n');

// The billing part of the OpenAPI document: balances, price plans and rate decks.
export function billingOpenApi(schemaOf: SchemaOf): { schemas: Record<string, unknown>; paths: Record<string, unknown> } {
  return {
    schemas: {
      TopUpRequest: schemaOf(TopUpRequest, 'input'),
      Balance: schemaOf(BalanceResponse, 'output'),
      AssignPricePlanRequest: schemaOf(AssignPricePlanRequest, 'input'),
      CreatePricePlanRequest: schemaOf(CreatePricePlanRequest, 'input'),
      PricePlan: schemaOf(PricePlanResponse, 'output'),
      RateImport: schemaOf(RateImportResponse, 'output'),
    },
    paths: {
      '/v1/users/{id}/balance': {
        get: {
          summary: "A user's prepaid balance: what is held for calls in progress and what is available (an account is created on first use)",
          parameters: [uuid],
          responses: { '200': json('the balance', 'Balance'), ...unauthorized, '404': error('no such user, or deleted (USER.NOT_FOUND)') },
        },
        post: {
          summary: 'Add to the balance (addBalance). Idempotent per reference.',
          parameters: [uuid],
          requestBody: body('TopUpRequest'),
          responses: {
            '200': json('the balance after the top-up (the same answer for a retry)', 'Balance'),
            '400': error('invalid amount, currency or reference (BILLING.INVALID_AMOUNT, RATING.UNKNOWN_CURRENCY, REQUEST.INVALID); nothing changes'),
            ...unauthorized,
            '404': error('no such user, or deleted (USER.NOT_FOUND)'),
            '409': error('the account is in another currency (BILLING.CURRENCY_MISMATCH), the reference was used for another amount (BILLING.REFERENCE_CONFLICT), or the balance would pass its limit (BILLING.BALANCE_LIMIT)'),
          },
        },
      },
      '/v1/users/{id}/price-plan': {
        put: {
          summary: "Price a user's calls with this plan (it must be in the account's currency)",
          parameters: [uuid],
          requestBody: body('AssignPricePlanRequest'),
          responses: {
            '200': json('the account with its plan', 'Balance'),
            '400': error('invalid request (REQUEST.INVALID)'),
            ...unauthorized,
            '404': error('no such user (USER.NOT_FOUND) or plan (PRICE_PLAN.NOT_FOUND)'),
            '409': error('the plan is in another currency than the account (BILLING.CURRENCY_MISMATCH)'),
          },
        },
      },
      '/v1/price-plans': {
        post: {
          summary: 'Create a retail price plan: currency, on-net rule, default billing increments, rounding and time zone',
          requestBody: body('CreatePricePlanRequest'),
          responses: {
            '201': json('created', 'PricePlan'),
            '400': error('invalid plan (REQUEST.INVALID, PRICE_PLAN.INVALID, RATING.UNKNOWN_CURRENCY)'),
            ...unauthorized,
            '409': error('the name is taken (PRICE_PLAN.NAME_TAKEN)'),
          },
        },
      },
      '/v1/price-plans/{id}': {
        get: { summary: 'A price plan and the size of its rate deck', parameters: [uuid], responses: { '200': json('the plan', 'PricePlan'), ...unauthorized, '404': error('no such plan (PRICE_PLAN.NOT_FOUND)') } },
      },
      '/v1/price-plans/{id}/rates': {
        post: {
          summary:
            "Replace the plan's rate deck with a CSV file, all or nothing. Columns (any order; the first two required): prefix (E.164 digits), rate_per_minute and connect_fee " +
            '(decimal major units: up to 6 decimals for the rate, the currency decimals for the fee), first_increment and next_increment (seconds; empty = the plan default), ' +
            "time_from and time_to (HH:MM in the plan's time zone, a band wrapping midnight allowed; both empty = all day), description. Longest prefix wins; a band containing " +
            "the call's start wins over the all-day rate of the same prefix.",
          parameters: [uuid],
          requestBody: { required: true, content: { 'text/csv': { schema: { type: 'string' }, example: RATE_CSV_EXAMPLE } } },
          responses: {
            '200': json('imported', 'RateImport'),
            '400': error('bad rows: details.errors lists {line, field, message} of every bad or clashing row (the first 1000; details.errorCount counts all), nothing imported (RATES.INVALID); file too large (RATES.TOO_LARGE); not text/csv (REQUEST.INVALID)'),
            ...unauthorized,
            '404': error('no such plan (PRICE_PLAN.NOT_FOUND)'),
          },
        },
      },
    },
  };
}
