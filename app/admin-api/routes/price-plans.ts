import { Router } from 'express';
import { z } from 'zod';
import { type BillingService, type PricePlanView } from '../../billing';
import { formatDecimal, minorUnitDigits } from '../../rating';
import { ValidationError } from '../../shared/kernel';
import { CreatePricePlanRequest } from '../billing-schemas';
import { allow, audit } from '../operator-auth';

const IdParam = z.object({ id: z.string().min(1).max(64) });

export function toPricePlanResponse(plan: PricePlanView): Record<string, unknown> {
  const digits = minorUnitDigits(plan.currency);
  return {
    id: plan.id,
    name: plan.name,
    currency: plan.currency,
    onNetRatePerMinute: formatDecimal(plan.onNetRatePerMinuteMicros, 6, digits),
    onNetRatePerMinuteMicros: Number(plan.onNetRatePerMinuteMicros),
    onNetConnectFee: formatDecimal(plan.onNetConnectFeeMinor, digits),
    onNetConnectFeeMinor: Number(plan.onNetConnectFeeMinor),
    firstIncrementSeconds: plan.firstIncrementSeconds,
    nextIncrementSeconds: plan.nextIncrementSeconds,
    rounding: plan.rounding,
    timeZone: plan.timeZone,
    rateCount: plan.rateCount,
    createdAt: plan.createdAt.toISOString(),
  };
}

// Mounted on /v1/price-plans.
export function pricePlansRouter(billing: BillingService): Router {
  const router = Router();

  router.post('/', allow('admin', 'billing'), async (req, res) => {
    const plan = await billing.createPricePlan(CreatePricePlanRequest.parse(req.body));
    await audit(req, res, 'price_plan.create', `price_plan:${plan.id}`, { name: plan.name, currency: plan.currency });
    res.status(201).location(`/v1/price-plans/${plan.id}`).json(toPricePlanResponse(plan));
  });

  router.get('/:id', allow('admin', 'billing'), async (req, res) => {
    const { id } = IdParam.parse(req.params);
    res.json(toPricePlanResponse(await billing.getPricePlan(id)));
  });

  // The body is the plan's whole rate deck as CSV, read as a stream (no size limit of the JSON
  // parser applies; billing's maxRateFileBytes does).
  router.post('/:id/rates', allow('admin', 'billing'), async (req, res) => {
    const { id } = IdParam.parse(req.params);
    if (!req.is('text/csv')) throw new ValidationError('the body must be a CSV file (Content-Type: text/csv)', { contentType: req.headers['content-type'] ?? null });
    const result = await billing.importRates(id, req);
    await audit(req, res, 'price_plan.rates_import', `price_plan:${id}`, { result });
    res.json(result);
  });

  return router;
}
