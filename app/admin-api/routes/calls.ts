import { Router } from 'express';
import { z } from 'zod';
import { type CallOperations } from '../../call-state';
import { StartCallRequest } from '../schemas';
import { allow, ANY_ROLE, audit } from '../operator-auth';

const ListCallsQuery = z.object({ user: z.string().min(1).max(64).optional() }).strict();
const CallIdParam = z.object({ id: z.string().min(1).max(64) });

export function callsRouter(calls: CallOperations): Router {
  const router = Router();

  // Click-to-call: 201 with the call once `from`'s devices ring.
  router.post('/', allow('admin'), async (req, res) => {
    const { from, to } = StartCallRequest.parse(req.body);
    const call = await calls.start(from, to);
    await audit(req, res, 'call.start', `call:${call.id}`, { from, to });
    res.status(201).json(call);
  });

  // Live calls (any controller instance), optionally of one user.
  router.get('/', allow(...ANY_ROLE), async (req, res) => {
    const query = ListCallsQuery.parse(req.query);
    res.json({ calls: await calls.list(query.user ? { user: query.user } : {}) });
  });

  // A call with its state history, live or finished.
  router.get('/:id', allow(...ANY_ROLE), async (req, res) => {
    const { id } = CallIdParam.parse(req.params);
    res.json(await calls.get(id));
  });

  // An operator hangs a live call up.
  router.delete('/:id', allow('admin', 'support'), async (req, res) => {
    const { id } = CallIdParam.parse(req.params);
    await calls.hangUp(id);
    await audit(req, res, 'call.hang_up', `call:${id}`);
    res.status(202).json({ id, status: 'hanging_up' });
  });

  return router;
}
