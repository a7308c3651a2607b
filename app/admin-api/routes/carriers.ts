import { Router } from 'express';
import { z } from 'zod';
import { type Carrier, type CarrierService, effectiveRegistration } from '../../carriers';
import { CreateCarrierRequest, UpdateCarrierRequest } from '../carriers-schemas';

const CarrierIdParam = z.object({ id: z.string().min(1).max(64) });

// The password is never returned: it lives in Asterisk's auth row only.
export function toCarrierResponse(carrier: Carrier): Record<string, unknown> {
  const { registration, ...fields } = carrier;
  return {
    ...fields,
    ...(registration ? { registration: effectiveRegistration(carrier, registration) } : {}),
    createdAt: carrier.createdAt.toISOString(),
    updatedAt: carrier.updatedAt.toISOString(),
  };
}

export function carriersRouter(carriers: CarrierService): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const carrier = await carriers.create(CreateCarrierRequest.parse(req.body));
    res.status(201).location(`/v1/carriers/${carrier.id}`).json(toCarrierResponse(carrier));
  });

  router.get('/', async (_req, res) => {
    res.json({ carriers: (await carriers.list()).map(toCarrierResponse) });
  });

  router.get('/:id', async (req, res) => {
    const { id } = CarrierIdParam.parse(req.params);
    res.json(toCarrierResponse(await carriers.get(id)));
  });

  router.patch('/:id', async (req, res) => {
    const { id } = CarrierIdParam.parse(req.params);
    res.json(toCarrierResponse(await carriers.update(id, UpdateCarrierRequest.parse(req.body))));
  });

  router.delete('/:id', async (req, res) => {
    const { id } = CarrierIdParam.parse(req.params);
    await carriers.delete(id);
    res.status(204).end();
  });

  return router;
}
