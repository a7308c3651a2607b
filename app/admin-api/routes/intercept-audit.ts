import { type Request, type RequestHandler, type Response } from 'express';
import { z } from 'zod';
import { type InterceptApi } from '../../intercept';
import { AppError } from '../../shared/kernel';
import { principalIdOf, type Principal } from '../agency-auth';
import { errorBody } from '../http-errors';

export interface AuditedRoute {
  action: string;
  // intercept_admin: the intercept administrator only; agency: an agency only (and only for its
  // own warrants); any: both. The admin API's operator is never allowed.
  allow: 'intercept_admin' | 'agency' | 'any';
}

export interface Reply {
  status: number;
  send(res: Response): void;
}

export const reply = (status: number, send: (res: Response) => void): Reply => ({ status, send });

const idParam = (req: Request, name: string): string | undefined => {
  const value = (req.params as Record<string, string | undefined>)[name];
  return value ? value.slice(0, 64) : undefined;
};

// Every request to the intercept API writes one audit entry (who, what, which warrant or
// recording, outcome) before anything is answered; if it cannot be written, nothing is served.
export function auditedRoute(intercept: InterceptApi, resolve: (req: Request) => Promise<Principal>, route: AuditedRoute, handle: (req: Request, principal: Principal) => Promise<Reply>): RequestHandler {
  return async (req, res) => {
    const principal = await resolve(req);
    const audit = async (outcome: 'allowed' | 'denied' | 'not_found' | 'invalid', status: number): Promise<void> => {
      const warrantId = idParam(req, 'id');
      const recordingId = idParam(req, 'recordingId');
      const principalId = principalIdOf(principal);
      await intercept.audit({
        principalType: principal.type,
        ...(principalId ? { principalId } : {}),
        action: route.action,
        ...(warrantId ? { warrantId } : {}),
        ...(recordingId ? { recordingId } : {}),
        outcome,
        status,
        // The client's address (behind a trusted proxy, the one it forwarded).
        ...((req.ip ?? req.socket.remoteAddress) ? { remoteAddress: req.ip ?? req.socket.remoteAddress } : {}),
      });
    };
    if (principal.type === 'anonymous') {
      await audit('denied', 401);
      res.status(401).set('WWW-Authenticate', 'Bearer realm="intercept"').json(errorBody('AUTH.UNAUTHORIZED', 'a valid bearer token is required'));
      return;
    }
    if (principal.type === 'admin') {
      // The operator's token learns nothing, not even that the route or a warrant exists: the
      // answer is the one of any unknown path.
      await audit('denied', 404);
      res.status(404).json(errorBody('ROUTE.NOT_FOUND', 'no such route', { method: req.method, path: req.originalUrl.split('?')[0] }));
      return;
    }
    if (route.allow !== 'any' && route.allow !== principal.type) {
      await audit('denied', 403);
      res.status(403).json(errorBody('AUTH.FORBIDDEN', 'these credentials may not do this'));
      return;
    }
    let reply: Reply;
    try {
      reply = await handle(req, principal);
    } catch (error) {
      if (error instanceof z.ZodError || (error instanceof AppError && error.kind === 'invalid')) await audit('invalid', 400);
      else if (error instanceof AppError && error.kind === 'not_found') await audit('not_found', 404);
      else if (error instanceof AppError && error.kind === 'conflict') await audit('denied', 409);
      else await audit('denied', error instanceof AppError && error.kind === 'unavailable' ? 503 : 500);
      throw error;
    }
    await audit('allowed', reply.status);
    reply.send(res.status(reply.status));
  };
}
