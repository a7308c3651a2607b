import { type Request, Router } from 'express';
import { type Logger } from '../../shared/infra/logger';
import { errorHandler } from '../http-errors';
import { type InterceptApi } from '../../intercept';
import { type Principal } from '../agency-auth';
import { CreateAgencyRequest } from '../schemas';
import { auditedRoute, reply } from './intercept-audit';

// POST /v1/agencies (intercept administrator): an agency and its API token, shown this once.
export function agenciesRouter(intercept: InterceptApi, resolve: (req: Request) => Promise<Principal>, log: Logger): Router {
  const router = Router();
  router.post(
    '/',
    auditedRoute(intercept, resolve, { action: 'agency.create', allow: 'intercept_admin' }, async (req) => {
      const body = CreateAgencyRequest.parse(req.body);
      const { agency, token } = await intercept.agencies.create(body.name);
      return reply(201, (res) => res.location(`/v1/agencies/${agency.id}`).json({ id: agency.id, name: agency.name, token, createdAt: agency.createdAt.toISOString() }));
    }),
  );
  router.use(errorHandler(log));
  return router;
}
