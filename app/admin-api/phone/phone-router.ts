import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import express, { type Router } from 'express';
import { browserEndpointOf } from '../../users';
import { errorBody } from '../http-errors';

export interface PhoneDeps {
  // The built page (app/phone/web bundled by scripts/build-console.mjs): phone.html and assets/.
  assetsDir: string;
  // Where browsers reach the SIP edge's secure websocket (e.g. wss://edge.example:8443); none: the
  // switch has no edge in front of it and the page says the phone is unavailable.
  wssUrl?: string;
  // The SIP domain (realm) users register in.
  domain: string;
}

// What the page needs to know to register: no secret, the user types its own credentials.
export interface PhoneSettings {
  wssUrl: string;
  domain: string;
  // The SIP user a browser registers as, for a username: "{username}" replaced.
  identity: string;
}

// /phone: the web phone (a page of its own, its script bundled; it talks SIP over the edge's wss,
// never to this server) and the settings it reads at start.
export function phoneRouter(deps: PhoneDeps): Router {
  const router = express.Router();
  const dir = resolve(deps.assetsDir);
  router.use((_req, res, next) => {
    res.set({
      // Own scripts only; the websocket to the edge is the one connection it opens elsewhere.
      'Content-Security-Policy': `default-src 'self'; connect-src 'self' ${deps.wssUrl ?? ''}; media-src 'self' blob: mediastream:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'same-origin',
      'Permissions-Policy': 'microphone=(self)',
    });
    next();
  });
  router.use('/assets', express.static(join(dir, 'assets'), { fallthrough: false, index: false, maxAge: '1h' }));
  router.get('/settings.json', (_req, res) => {
    if (!deps.wssUrl) {
      res.status(503).json(errorBody('PHONE.NO_WEBSOCKET', 'no secure websocket to the SIP edge is configured (WEB_PHONE_WSS_URL)'));
      return;
    }
    const settings: PhoneSettings = { wssUrl: deps.wssUrl, domain: deps.domain, identity: browserEndpointOf('{username}') };
    res.json(settings);
  });
  router.get('/', (_req, res) => {
    const page = join(dir, 'phone.html');
    if (!existsSync(page)) {
      res.status(503).json(errorBody('PHONE.NOT_BUILT', 'the web phone is not built (scripts/build-console.mjs)'));
      return;
    }
    res.sendFile(page);
  });
  return router;
}
