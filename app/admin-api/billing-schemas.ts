import { z } from 'zod';
import { ROUNDINGS } from '../rating';

// Request and response shapes of the billing routes (balances, price plans, rate decks); they
// validate requests and build the OpenAPI document (openapi-billing.ts).

const currency = z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD').meta({ example: 'USD' });
const decimalText = (description: string, example: string) => z.string().max(40).meta({ description, example });
const minor = (description: string) => z.number().int().meta({ description });

export const TopUpRequest = z
  .object({
    amount: z.union([z.string().max(40), z.number()]).meta({
      description:
        'Major units: decimal text such as "10.50" (recommended), or a JSON number. At most as many decimals as the currency has; more than zero.',
      example: '10.00',
    }),
    currency,
    reference: z
      .string()
      .regex(/^[\x21-\x7e]{1,128}$/, '1-128 printable characters without spaces')
      .meta({ description: 'Idempotency key: a retry with the same reference and amount is applied once; another amount is 409.', example: 'payment-8812' }),
  })
  .strict();

export const AssignPricePlanRequest = z.object({ planId: z.string().min(1).max(64) }).strict();

export const BalanceResponse = z.object({
  userId: z.uuid(),
  currency,
  planId: z.uuid().optional().meta({ description: "the account's price plan (absent before the account exists)" }),
  balance: decimalText('major units', '10.00'),
  reserved: decimalText('held for calls in progress', '0.70'),
  available: decimalText('balance - reserved: what new calls may use', '9.30'),
  balanceMinor: minor('minor units'),
  reservedMinor: minor('minor units'),
  availableMinor: minor('minor units'),
});

export const CreatePricePlanRequest = z
  .object({
    name: z.string().min(1).max(64),
    currency,
    onNetRatePerMinute: decimalText('on-net (user to user) rate per minute, major units, up to 6 decimals; default 0 (free)', '0').optional(),
    onNetConnectFee: decimalText('on-net connect fee, major units; default 0', '0').optional(),
    firstIncrementSeconds: z.number().int().min(1).max(3600).optional().meta({ description: 'default 60' }),
    nextIncrementSeconds: z.number().int().min(1).max(3600).optional().meta({ description: 'default 60' }),
    rounding: z.enum(ROUNDINGS).optional().meta({ description: "how a call's total is rounded to a minor unit; default up" }),
    timeZone: z.string().min(1).max(64).optional().meta({ description: 'IANA zone of time-of-day rates; default UTC', example: 'Europe/London' }),
  })
  .strict();

export const PricePlanResponse = z.object({
  id: z.uuid(),
  name: z.string(),
  currency,
  onNetRatePerMinute: decimalText('major units per minute', '0.00'),
  onNetRatePerMinuteMicros: z.number().int(),
  onNetConnectFee: decimalText('major units', '0.00'),
  onNetConnectFeeMinor: z.number().int(),
  firstIncrementSeconds: z.number().int(),
  nextIncrementSeconds: z.number().int(),
  rounding: z.enum(ROUNDINGS),
  timeZone: z.string(),
  rateCount: z.number().int().meta({ description: 'rates in the deck' }),
  createdAt: z.iso.datetime(),
});

export const RateImportResponse = z.object({
  planId: z.uuid(),
  imported: z.number().int().meta({ description: "rates in the plan's deck now (the file replaced the previous deck)" }),
});
