import { timingSafeEqual } from 'node:crypto';
import { type Request, type RequestHandler, type Response } from 'express';
import { type ConsoleSession, type ConsoleSessions, SESSION_HOURS } from '../../operators';
import { errorBody } from '../http-errors';
import { principalFromOperator } from '../operator-auth';

export const SESSION_COOKIE = 'cp_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function cookieOf(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

// HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Secure when the
// request came over TLS; Path=/ so that it reaches the API the console calls (/v1).
export function setSessionCookie(req: Request, res: Response, session: ConsoleSession): void {
  const secure = req.secure ? '; Secure' : '';
  res.set('Set-Cookie', `${SESSION_COOKIE}=${session.secret}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_HOURS * 3600}${secure}`);
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.set('Set-Cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${req.secure ? '; Secure' : ''}`);
}

const same = (a: string, b: string): boolean => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

// A request with a valid session cookie acts as its operator (the role checks and the audit log
// then treat it as any other). A change (any method but GET/HEAD/OPTIONS) must also carry the
// session's CSRF token in X-CSRF-Token, or it is refused with 403 before it is read.
export function sessionAuth(sessions: ConsoleSessions): RequestHandler {
  return async (req, res, next) => {
    const secret = cookieOf(req, SESSION_COOKIE);
    if (!secret) {
      next();
      return;
    }
    const session = await sessions.find(secret);
    if (!session) {
      next();
      return;
    }
    if (!SAFE_METHODS.has(req.method)) {
      const presented = req.headers[CSRF_HEADER];
      if (typeof presented !== 'string' || !same(presented, session.csrfToken)) {
        res.status(403).json(errorBody('AUTH.CSRF', 'a change from the console must carry its CSRF token'));
        return;
      }
    }
    res.locals.principal = principalFromOperator(session.operator, 'session');
    res.locals.csrfToken = session.csrfToken;
    next();
  };
}
