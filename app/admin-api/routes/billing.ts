import { Router } from 'express';
import { z } from 'zod';
import { type Balance, type BillingService } from '../../billing';
import { formatDecimal, minorUnitDigits } from '../../rating';
import { AssignPricePlanRequest, TopUpRequest } from '../billing-schemas';
import { allow, audit } from '../operator-auth';

const UserIdParam = z.object({ id: z.string().min(1).max(64) });

// Minor units as JSON numbers: balances are capped far below 2^53 (MAX_BALANCE_MINOR).
const integer = (value: bigint): number => Number(value);

// A JSON number as the decimal text it was written as: its shortest round-trip form, exact for
// amounts within the cap (at most 15 significant digits). Exponent forms are refused as text.
const amountText = (amount: string | number): string => (typeof amount === 'number' ? String(amount) : amount);

export function toBalanceResponse(balance: Balance): Record<string, unknown> {
  const digits = minorUnitDigits(balance.currency);
  return {
    userId: balance.userId,
    currency: balance.currency,
    ...(balance.planId ? { planId: balance.planId } : {}),
    balance: formatDecimal(balance.balanceMinor, digits),
    reserved: formatDecimal(balance.reservedMinor, digits),
    available: formatDecimal(balance.availableMinor, digits),
    balanceMinor: integer(balance.balanceMinor),
    reservedMinor: integer(balance.reservedMinor),
    availableMinor: integer(balance.availableMinor),
  };
}

// Mounted on /v1: a user's balance (the design's addBalance/getBalance) and price plan.
export function billingRouter(billing: BillingService): Router {
  const router = Router();

  router.get('/users/:id/balance', allow('admin', 'billing'), async (req, res) => {
    const { id } = UserIdParam.parse(req.params);
    res.json(toBalanceResponse(await billing.getBalance(id)));
  });

  router.post('/users/:id/balance', allow('admin', 'billing'), async (req, res) => {
    const { id } = UserIdParam.parse(req.params);
    const body = TopUpRequest.parse(req.body);
    const balance = await billing.addBalance(id, { amount: amountText(body.amount), currency: body.currency, reference: body.reference });
    await audit(req, res, 'balance.top_up', `user:${id}`, { amount: amountText(body.amount), currency: body.currency, reference: body.reference });
    res.json(toBalanceResponse(balance));
  });

  router.put('/users/:id/price-plan', allow('admin', 'billing'), async (req, res) => {
    const { id } = UserIdParam.parse(req.params);
    const { planId } = AssignPricePlanRequest.parse(req.body);
    const balance = await billing.assignPlan(id, planId);
    await audit(req, res, 'user.price_plan', `user:${id}`, { planId });
    res.json(toBalanceResponse(balance));
  });

  return router;
}
