import { readFileSync } from 'node:fs';
import { type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import express, { type Express } from 'express';
import { type Registry } from 'prom-client';
import { type BillingService } from '../billing';
import { type PolicyAdmin } from '../call-policy';
import { type CallOperations } from '../call-state';
import { type CarrierService } from '../carriers';
import { type CarrierQualityHistory } from '../console';
import { type InterceptApi } from '../intercept';
import { principalResolver } from './agency-auth';
import { type InvoiceService } from '../invoice';
import { type RoutingService } from '../routing';
import { type SessionService } from '../session';
import { type DeadLetterAdmin } from '../shared/infra/jetstream';
import { type Logger } from '../shared/infra/logger';
import { type UserService } from '../users';
import { allow, authenticate } from './operator-auth';
import { type OperatorService } from '../operators';
import { consoleRouter, type ConsoleDeps } from './console/console-router';
import { phoneRouter, type PhoneDeps } from './phone/phone-router';
import { sessionAuth } from './console/session-auth';
import { errorHandler, notFoundRoute } from './http-errors';
import { buildOpenApiDocument } from './openapi';
import { type HealthCheck, healthRouter } from './routes/health';
import { agenciesRouter } from './routes/agencies';
import { alarmsRouter } from './routes/alarms';
import { type AlarmMonitor } from '../alarms';
import { callRecordsRouter } from './routes/call-records';
import { type CallLog } from '../call-log';
import { auditRouter } from './routes/audit';
import { billingRouter } from './routes/billing';
import { callPolicyRouter } from './routes/call-policy';
import { callsRouter } from './routes/calls';
import { carrierQualityRouter } from './routes/carrier-quality';
import { carrierRatesRouter } from './routes/carrier-rates';
import { carriersRouter } from './routes/carriers';
import { deadLettersRouter } from './routes/dead-letters';
import { sipBansRouter } from './routes/sip-bans';
import { type SipBans } from '../edge';
import { trustedProxyCheck } from './trusted-proxies';
import { invoicesRouter } from './routes/invoices';
import { operatorsRouter } from './routes/operators';
import { pricePlansRouter } from './routes/price-plans';
import { routesRouter } from './routes/routes';
import { sessionsRouter } from './routes/sessions';
import { usersRouter } from './routes/users';
import { warrantsRouter } from './routes/warrants';

export interface AdminApiDeps {
  // The break-glass admin token (ADMIN_TOKEN): role admin, no operator account.
  token: string;
  // Operator accounts, their API tokens and the operator audit log.
  operators?: OperatorService;
  // The operations console under /console (session cookie with CSRF token); its session also
  // authenticates the console's calls to /v1.
  console?: Omit<ConsoleDeps, 'calls'>;
  // The web phone under /phone (WebRTC over the edge's secure websocket).
  phone?: PhoneDeps;
  users: UserService;
  calls?: CallOperations;
  // Open alarms (GET /v1/alarms).
  alarms?: Pick<AlarmMonitor, 'list'>;
  // The history of ended calls (GET /v1/call-records).
  callRecords?: Pick<CallLog, 'page' | 'all' | 'stats'>;
  // The carriers' quality per destination prefix over time (GET /v1/carriers/{id}/quality).
  carrierQuality?: CarrierQualityHistory;
  sessions?: SessionService;
  // Monthly statements: JSON, HTML and PDF.
  invoices?: InvoiceService;
  // Balances (addBalance/getBalance), price plans and their rate decks.
  billing?: BillingService;
  // SIP carriers (PSTN trunks).
  carriers?: CarrierService;
  // Prometheus metrics, served at GET /metrics behind the same bearer token.
  metrics?: Registry;
  health: HealthCheck[];
  log: Logger;
  // Lawful intercept: /v1/agencies and /v1/warrants (intercept administrator or agency tokens,
  // audited). Its failures go to the intercept module's own log, never to `log`.
  intercept?: { api: InterceptApi; adminToken: string; log: Logger };
  // The recommendation service: GET /v1/routes and the carriers' rate decks.
  routing?: RoutingService;
  // Events consumers gave up on: GET /v1/dead-letters, POST /v1/dead-letters/replay.
  deadLetters?: DeadLetterAdmin;
  // Call admission settings: limits, fraud caps, CLIR and the destination blocklist.
  callPolicy?: PolicyAdmin;
  // The SIP edge's bans (GET/DELETE /v1/sip-bans): only where the app knows the edge.
  sipBans?: SipBans;
  // Reverse proxies whose X-Forwarded-For is believed (ADMIN_TRUSTED_PROXIES); none: the peer's
  // own address is the client's.
  trustedProxies?: string[];
}

export function createAdminApi(deps: AdminApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  const proxies = deps.trustedProxies ?? [];
  app.set('trust proxy', proxies.length > 0 ? trustedProxyCheck(proxies) : false);
  app.use(express.json({ limit: '64kb' }));

  const openapi = buildOpenApiDocument();
  app.use('/healthz', healthRouter(deps.health));
  app.get('/v1/openapi.json', (_req, res) => {
    res.json(openapi);
  });

  const intercept = deps.intercept;
  if (intercept) {
    // Before the admin-only router: the intercept administrator and agencies authenticate here.
    const operators = deps.operators;
    const resolve = principalResolver(
      { interceptAdmin: intercept.adminToken, admin: deps.token },
      (token) => intercept.api.agencies.authenticate(token),
      async (token) => (operators ? (await operators.authenticateToken(token)) !== undefined : false),
    );
    app.use('/v1/agencies', agenciesRouter(intercept.api, resolve, intercept.log));
    app.use('/v1/warrants', warrantsRouter(intercept.api, resolve, intercept.log));
  }
  if (deps.phone) app.use('/phone', phoneRouter(deps.phone));
  if (deps.console) app.use('/console', consoleRouter({ ...deps.console, ...(deps.calls ? { calls: deps.calls } : {}) }));
  app.use('/v1', operatorApi(deps));
  const registry = deps.metrics;
  if (registry) {
    app.get('/metrics', authenticate(deps.token, deps.operators), allow('admin', 'support'), async (_req, res) => {
      res.type(registry.contentType).send(await registry.metrics());
    });
  }

  app.use(notFoundRoute);
  app.use(errorHandler(deps.log.child({ module: 'admin-api' })));
  return app;
}

// Everything under /v1 an operator reaches: each route declares the roles it allows (allow()).
export function operatorApi(deps: AdminApiDeps): express.Router {
  const v1 = express.Router();
  if (deps.console) v1.use(sessionAuth(deps.console.sessions));
  v1.use(authenticate(deps.token, deps.operators));
  if (deps.operators) {
    v1.use('/operators', operatorsRouter(deps.operators));
    v1.use('/audit', auditRouter(deps.operators));
  }
  v1.use('/users', usersRouter(deps.users, deps.calls));
  if (deps.alarms) v1.use('/alarms', alarmsRouter(deps.alarms));
  if (deps.calls) v1.use('/calls', callsRouter(deps.calls));
  if (deps.callRecords) v1.use('/call-records', callRecordsRouter(deps.callRecords, deps.users));
  if (deps.carriers) v1.use('/carriers', carriersRouter(deps.carriers));
  if (deps.carrierQuality) v1.use('/carriers', carrierQualityRouter(deps.carrierQuality));
  if (deps.callPolicy) v1.use(callPolicyRouter(deps.callPolicy));
  if (deps.sessions) v1.use(sessionsRouter(deps.sessions));
  if (deps.invoices) v1.use(invoicesRouter(deps.invoices, deps.users));
  if (deps.billing) {
    v1.use(billingRouter(deps.billing));
    v1.use('/price-plans', pricePlansRouter(deps.billing));
  }
  if (deps.routing) {
    v1.use('/routes', routesRouter(deps.routing, deps.users));
    v1.use('/carriers', carrierRatesRouter(deps.routing));
  }
  if (deps.deadLetters) v1.use('/dead-letters', deadLettersRouter(deps.deadLetters));
  if (deps.sipBans) v1.use('/sip-bans', sipBansRouter(deps.sipBans));
  return v1;
}

// Plain HTTP, or HTTPS with the certificate and key files given (read once, at start).
export function listen(app: Express, host: string, port: number, tls?: { certFile: string; keyFile: string }): Promise<Server> {
  return new Promise((resolve, reject) => {
    if (!tls) {
      const server = app.listen(port, host, (error?: Error) => (error ? reject(error) : resolve(server)));
      return;
    }
    const server = createHttpsServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile), minVersion: 'TLSv1.2' }, app);
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

export type { HealthCheck } from './routes/health';
