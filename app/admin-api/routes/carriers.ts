import { Router } from 'express';
import { z } from 'zod';
import { type Carrier, type CarrierService, effectiveRegistration } from '../../carriers';
import { CreateCarrierRequest, UpdateCarrierRequest } from '../carriers-schemas';
import { allow, audit } from '../operator-auth';

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

  router.post('/', allow('admin'), async (req, res) => {
    const carrier = await carriers.create(CreateCarrierRequest.parse(req.body));
    await audit(req, res, 'carrier.create', `carrier:${carrier.id}`, { name: carrier.name });
    res.status(201).location(`/v1/carriers/${carrier.id}`).json(toCarrierResponse(carrier));
  });

  router.get('/', allow('admin', 'support'), async (_req, res) => {
    res.json({ carriers: (await carriers.list()).map(toCarrierResponse) });
  });

  router.get('/:id', allow('admin', 'support'), async (req, res) => {
    const { id } = CarrierIdParam.parse(req.params);
    res.json(toCarrierResponse(await carriers.get(id)));
  });

  router.patch('/:id', allow('admin'), async (req, res) => {
    const { id } = CarrierIdParam.parse(req.params);
    const change = UpdateCarrierRequest.parse(req.body);
    const carrier = await carriers.update(id, change);
    // The change's fields, never a password.
    await audit(req, res, 'carrier.update', `carrier:${id}`, { fields: Object.keys(change).filter((key) => !/password|secret/i.test(key)) });
    res.json(toCarrierResponse(carrier));
  });

  router.delete('/:id', allow('admin'), async (req, res) => {
    const { id } = CarrierIdParam.parse(req.params);
    await carriers.delete(id);
    await audit(req, res, 'carrier.delete', `carrier:${id}`);
    res.status(204).end();
  });

  return router;
}
