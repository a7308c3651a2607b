import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type Router } from 'express';
import { z } from 'zod';
import { type CallOperations } from '../../call-state';
import { type CallChanges } from '../../console';
import { type ConsoleSessions } from '../../operators';
import { errorBody } from '../http-errors';
import { audit, type OperatorAuth, principalOf } from '../operator-auth';
import { liveFeed, type LiveSource } from './live-feed';
import { clearSessionCookie, cookieOf, SESSION_COOKIE, sessionAuth, setSessionCookie } from './session-auth';

const LoginRequest = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) }).strict();

export interface ConsoleDeps {
  sessions: ConsoleSessions;
  // Where logins are audited.
  audit?: OperatorAuth;
  // The built front end (scripts/build-console.mjs): index.html, login.html, assets/.
  assetsDir: string;
  calls?: Pick<CallOperations, 'list'>;
  node: string;
  live?: LiveSource;
  // Call events: the live feed follows them instead of polling the call store.
  changes?: CallChanges;
}

const SECURITY_HEADERS = {
  // Everything the console loads is its own: no CDN, no inline script.
  'Content-Security-Policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'same-origin',
};

// /console: the login page and the bundle are public; every other page needs a session (else a
// redirect to the login page), and so does /console/api but login.
export function consoleRouter(deps: ConsoleDeps): Router {
  const router = express.Router();
  const dir = resolve(deps.assetsDir);
  const page = (name: string): string => join(dir, name);
  router.use((_req, res, next) => {
    res.set(SECURITY_HEADERS);
    if (deps.audit) res.locals.auditSink = deps.audit;
    next();
  });
  router.use('/assets', express.static(join(dir, 'assets'), { fallthrough: false, index: false, maxAge: '1h' }));
  router.get('/login', (_req, res) => {
    if (!existsSync(page('login.html'))) {
      res.status(503).json(errorBody('CONSOLE.NOT_BUILT', 'the console is not built (scripts/build-console.mjs)'));
      return;
    }
    res.sendFile(page('login.html'));
  });

  router.post('/api/login', async (req, res) => {
    const { username, password } = LoginRequest.parse(req.body);
    const session = await deps.sessions.login(username, password);
    setSessionCookie(req, res, session);
    res.locals.principal = { operatorId: session.operator.id, name: session.operator.username, role: session.operator.role, via: 'session' };
    await audit(req, res, 'operator.login', `operator:${session.operator.id}`);
    res.json({ username: session.operator.username, role: session.operator.role, csrfToken: session.csrfToken });
  });

  router.use(sessionAuth(deps.sessions));
  router.use((req, res, next) => {
    if (res.locals.principal) {
      next();
      return;
    }
    if (req.path.startsWith('/api/')) res.status(401).json(errorBody('AUTH.UNAUTHORIZED', 'log in first'));
    else res.redirect(303, '/console/login');
  });

  router.get('/api/session', (_req, res) => {
    const principal = principalOf(res);
    res.json({ username: principal.name, role: principal.role, csrfToken: String(res.locals.csrfToken), node: deps.node });
  });

  router.post('/api/logout', async (req, res) => {
    const secret = cookieOf(req, SESSION_COOKIE);
    if (secret) await deps.sessions.logout(secret);
    clearSessionCookie(req, res);
    res.status(204).end();
  });

  if (deps.calls) router.get('/api/live', liveFeed({ calls: deps.calls, node: deps.node, ...(deps.live ? { source: deps.live } : {}), ...(deps.changes ? { changes: deps.changes } : {}) }));

  // The single-page app: every other path under /console is the same shell.
  router.get(/.*/, (_req, res) => {
    res.sendFile(page('index.html'));
  });
  return router;
}
