import { Router } from 'express';
import { z } from 'zod';
import { type RoutingService } from '../../routing';
import { ValidationError } from '../../shared/kernel';
import { allow, audit } from '../operator-auth';

const IdParam = z.object({ id: z.string().min(1).max(64) });

// Mounted on /v1/carriers: a carrier's rate deck (the carriers module serves the rest of /v1/carriers).
export function carrierRatesRouter(routing: RoutingService): Router {
  const router = Router();

  // The body is the carrier's whole deck as CSV, read as a stream (the JSON parser's limit does
  // not apply; the routing module's maxRateFileBytes does).
  router.post('/:id/rates', allow('admin'), async (req, res) => {
    const { id } = IdParam.parse(req.params);
    if (!req.is('text/csv')) throw new ValidationError('the body must be a CSV file (Content-Type: text/csv)', { contentType: req.headers['content-type'] ?? null });
    const result = await routing.importRates(id, req);
    await audit(req, res, 'carrier.rates_import', `carrier:${id}`, { result });
    res.json(result);
  });

  return router;
}
