import { createHash, timingSafeEqual } from 'node:crypto';
import { type Request, type RequestHandler, type Response } from 'express';
import { BREAK_GLASS, ForbiddenError, type Operator, type OperatorService, type Principal, type Role } from '../operators';
import { errorBody } from './http-errors';

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

export const ANY_ROLE: readonly Role[] = ['admin', 'billing', 'support'];

// What each request knows of its caller, set by authenticate().
interface Locals {
  principal?: Principal;
  auditSink?: OperatorAuth;
}

export const principalOf = (res: Response): Principal => {
  const principal = (res.locals as Locals).principal;
  // Only reachable behind authenticate(): a route mounted outside it is a programming error.
  if (!principal) throw new Error('no principal: the route is not behind authenticate()');
  return principal;
};

export const principalFromOperator = (operator: Operator, via: Principal['via']): Principal => ({ operatorId: operator.id, name: operator.username, role: operator.role, via });

export type OperatorAuth = Pick<OperatorService, 'authenticateToken' | 'recordChange'>;

// A request's principal: the break-glass admin (ADMIN_TOKEN, compared in constant time), an
// operator by API token, or one already known (the console's session, set before this runs).
// Anything else is 401.
export function authenticate(breakGlassToken: string, operators: OperatorAuth | undefined): RequestHandler {
  const expected = digest(breakGlassToken);
  return async (req, res, next) => {
    const locals = res.locals as Locals;
    if (operators) locals.auditSink = operators;
    if (locals.principal) {
      next();
      return;
    }
    const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    let principal: Principal | undefined;
    if (token && timingSafeEqual(digest(token), expected)) principal = BREAK_GLASS;
    else if (token && operators) {
      const operator = await operators.authenticateToken(token);
      if (operator) principal = principalFromOperator(operator, 'token');
    }
    if (!principal) {
      res.status(401).set('WWW-Authenticate', 'Bearer realm="admin"').json(errorBody('AUTH.UNAUTHORIZED', 'a valid bearer token is required'));
      return;
    }
    locals.principal = principal;
    next();
  };
}

// Every route declares the roles it allows with this (first handler of the route); tests read
// ALLOWED_ROLES off the route stack to check that none is left without.
export const ALLOWED_ROLES = Symbol('allowedRoles');
export type RoleGuard = RequestHandler & { [ALLOWED_ROLES]: readonly Role[] };

export function allow(...roles: Role[]): RoleGuard {
  const guard: RequestHandler = (_req, _res, next) => {
    const principal = principalOf(_res);
    if (!roles.includes(principal.role)) throw new ForbiddenError(principal.role, roles);
    next();
  };
  return Object.assign(guard, { [ALLOWED_ROLES]: roles });
}

// Appends a change to the operator audit log (who, when, what, from where) before the response
// is sent: a change that cannot be audited is answered with an error, never silently.
export async function audit(req: Request, res: Response, action: string, target?: string, details: Record<string, unknown> = {}): Promise<void> {
  const sink = (res.locals as Locals).auditSink;
  if (!sink) return;
  const userAgent = req.headers['user-agent'];
  await sink.recordChange({
    principal: principalOf(res),
    action,
    ...(target ? { target } : {}),
    details,
    // The client's address: behind a trusted proxy (ADMIN_TRUSTED_PROXIES) the one it forwarded.
    sourceIp: req.ip ?? req.socket.remoteAddress ?? 'unknown',
    ...(userAgent ? { userAgent } : {}),
  });
}
