import { Router } from 'express';
import { z } from 'zod';
import { type CarrierQualityHistory, type PrefixQuality } from '../../console';
import { formatDecimal } from '../../rating';
import { ValidationError } from '../../shared/kernel';
import { allow } from '../operator-auth';

const HOUR_MS = 3_600_000;
const MAX_BUCKETS = 2000;
const isoDate = z.iso.datetime({ offset: true }).transform((value) => new Date(value));
const IdParam = z.object({ id: z.uuid() });
export const CarrierQualityQuery = z
  .object({ from: isoDate.optional(), to: isoDate.optional(), bucket: z.coerce.number().int().min(60).max(86_400).default(300) })
  .strict();

// Per prefix: the sums of each bucket and the figures the recommendation service derives from them
// (ASR, ACD, PDD, MES); the rate as a decimal per minute of the carrier's currency.
export function toPrefixQualityResponse(prefix: PrefixQuality): Record<string, unknown> {
  return {
    prefix: prefix.prefix,
    ...(prefix.ratePerMinuteMicros !== undefined ? { ratePerMinute: formatDecimal(prefix.ratePerMinuteMicros, 6, 4) } : {}),
    points: prefix.points.map((p) => ({
      at: p.at.toISOString(),
      attempts: p.attempts,
      answered: p.answered,
      asr: p.attempts > 0 ? p.answered / p.attempts : null,
      acdSeconds: p.answered > 0 ? p.talkMs / p.answered / 1000 : null,
      pddMs: p.pddCount > 0 ? p.pddMs / p.pddCount : null,
      mes: p.mesCount > 0 ? p.mesMilli / p.mesCount / 1000 : null,
    })),
  };
}

// Mounted on /v1/carriers: GET /:id/quality, a carrier's quality per destination prefix over time
// (the last 6 hours by default, in buckets of `bucket` seconds).
export function carrierQualityRouter(quality: CarrierQualityHistory): Router {
  const router = Router();
  router.get('/:id/quality', allow('admin', 'support'), async (req, res) => {
    const { id } = IdParam.parse(req.params);
    const query = CarrierQualityQuery.parse(req.query);
    const to = query.to ?? new Date();
    const from = query.from ?? new Date(to.getTime() - 6 * HOUR_MS);
    if (from >= to) throw new ValidationError('from must be before to', { from: from.toISOString(), to: to.toISOString() });
    if ((to.getTime() - from.getTime()) / 1000 / query.bucket > MAX_BUCKETS) throw new ValidationError(`at most ${MAX_BUCKETS} buckets`, { bucket: query.bucket });
    const prefixes = await quality.history({ carrierId: id.toLowerCase(), from, to, bucketSeconds: query.bucket });
    res.json({ carrierId: id, from: from.toISOString(), to: to.toISOString(), bucketSeconds: query.bucket, prefixes: prefixes.map(toPrefixQualityResponse) });
  });
  return router;
}
