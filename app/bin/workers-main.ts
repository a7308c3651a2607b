// The workers: everything that reads the call path's events or polls beside it, in a process of
// its own so that the controller (app/main.ts) spends its CPU on calls only. Durable JetStream
// consumers (call records, sessions, billing settlement and invoices, routing's speed layer,
// intercept), the switch's registration watcher, and the jobs of those consumers (statement close,
// processed-event pruning, intercept's tick). Started beside the controller by scripts/start.sh,
// the fleet, compose and the tests; several may run (the consumers are durable and idempotent).
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createBillingModule } from '../billing';
import { createCallLogModule } from '../call-log';
import { RedisCallStore } from '../call-state';
import { ConfigError, loadConfig } from '../config';
import { createInterceptModule, liveCallDirectoryOf, startInterceptConsumer } from '../intercept';
import { createInvoiceModule, INVOICE_CONSUMER_SETUP, invoiceConsumer } from '../invoice';
import { createRoutingModule } from '../routing';
import { createSessionModule } from '../session';
import { CallEndedSchema, ConnectionEventSchema, CONSUMERS } from '../shared/events';
import { ensureConsumer, ensureStreams, pruneProcessedEvents, startBatchConsumer, startConsumer, type RunningConsumer } from '../shared/infra/jetstream';
import { createFileLogger, createLogger } from '../shared/infra/logger';
import { serveMetrics } from '../shared/infra/metrics-server';
import { connectNats } from '../shared/infra/nats';
import { guardUnhandledRejections } from '../shared/infra/process-guards';
import { createDatabase } from '../shared/infra/prisma';
import { connectRedis } from '../shared/infra/redis';
import { fleetContentTapOf, RedisSwitchNodeDirectory } from '../fleet';
import { installShutdown } from '../shared/infra/shutdown';
import { createSql } from '../shared/infra/sql';
import { errorMessage, PeriodicJobs, systemClock, systemScheduler } from '../shared/kernel';
import { createAriSnoopRecorder, RegistrationWatcher } from '../switch';

// Statements of months that are over are closed at start and this often.
const STATEMENT_CLOSE_MS = 10 * 60 * 1000;
// Consumers' processed-event marks past their retention are deleted this often.
const PROCESSED_EVENTS_PRUNE_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
// The workers' own pool: a few consumers, one statement each at a time.
const WORKERS_DB_POOL = 4;

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel, service: 'calling-workers', pretty: false }).child({ instance: config.instanceId, node: config.nodeName, role: 'workers' });
  const metrics = new Registry();
  metrics.setDefaultLabels({ node: config.nodeName });
  collectDefaultMetrics({ register: metrics });
  guardUnhandledRejections(log, metrics);

  // ---- infrastructure
  const poolSize = Math.min(config.database.poolSize, WORKERS_DB_POOL);
  const db = createDatabase({ ...config.database, poolSize });
  const sql = createSql({ url: config.database.url, poolSize, log });
  const redis = await connectRedis(config.redis, log.child({ module: 'redis' }));
  // Its own NATS name: the controller's connection keeps the instance id.
  const nats = await connectNats(config.nats.url, `${config.instanceId}-workers`, log.child({ module: 'nats' }));
  const jsm = await nats.jetstreamManager();
  // Whichever of the controller and the workers starts first creates the streams and consumers.
  await ensureStreams(jsm, log, { replicas: config.nats.streamReplicas });
  for (const consumer of Object.values(CONSUMERS)) {
    await ensureConsumer(jsm, consumer, consumer.name === CONSUMERS.invoices.name ? INVOICE_CONSUMER_SETUP : {}, log);
  }
  const js = nats.jetstream();

  // ---- modules the consumers need
  const sessions = createSessionModule({ sql, clock: systemClock, log });
  const billing = createBillingModule({ db, sql, clock: systemClock, log, options: { defaultCurrency: config.billing.defaultCurrency, sliceSeconds: config.billing.sliceSeconds } });
  const invoices = createInvoiceModule({ db, settlement: billing, clock: systemClock, log });
  // Routing's speed layer writes the minutes every controller reads at its refresh; the decks give
  // call records their carrier cost.
  const routing = createRoutingModule({ db, sql, retail: billing, clock: systemClock, log, options: config.routing });
  await routing.service.start();
  routing.jobs.start();
  const callLog = createCallLogModule({ sql, log, node: config.nodeName, costs: routing.service });

  const consumers: RunningConsumer[] = [
    startConsumer({ js, consumer: CONSUMERS.callRecords, schema: CallEndedSchema, handle: (event) => callLog.recordEndedCall(event), log, metrics }),
    startConsumer({ js, consumer: CONSUMERS.sessions, schema: ConnectionEventSchema, handle: (event) => sessions.handleConnectionEvent(event), log, metrics }),
    // Billing settles each ended call and its statement line is written, once per call.
    startBatchConsumer({ js, consumer: CONSUMERS.invoices, log: log.child({ module: 'invoice' }), metrics, ...invoiceConsumer(invoices) }),
    // The recommendation service's speed layer.
    startConsumer({ js, consumer: CONSUMERS.routing, schema: CallEndedSchema, handle: (event) => routing.service.handleCallEnded(event), log, metrics }),
  ];

  // Lawful intercept's consumer of call events and its jobs (content retries, collection,
  // verification, retention), with snoop/record over its own ARI sockets and its own log. The
  // controller keeps the module for the admin API (a warrant started mid-call taps at once).
  const interceptLog = config.intercept.enabled ? createFileLogger({ level: config.logLevel, service: 'calling-intercept', file: config.intercept.logFile }).child({ instance: config.instanceId, role: 'workers' }) : undefined;
  // In a fleet the call may be on another node's switch: taps go to the node that holds its channel.
  const switchNodes = config.fleetNode ? new RedisSwitchNodeDirectory(redis, log.child({ module: 'switch-nodes' })) : undefined;
  const interceptTap = interceptLog && (switchNodes ? fleetContentTapOf(() => switchNodes.nodes(), (node) => createAriSnoopRecorder({ ...config.ari, url: node.ariUrl, app: node.app, maxSockets: 8 })) : createAriSnoopRecorder({ ...config.ari, maxSockets: 8 }));
  // Read only: the workers write no call and no outbox under this id.
  const liveCalls = liveCallDirectoryOf(new RedisCallStore(redis, { instanceId: config.instanceId, log: log.child({ module: 'call-store' }), writeTimeoutMs: config.redis.commandTimeoutMs }));
  const intercept = interceptLog && interceptTap && createInterceptModule({ ...config.intercept, db, sql, tap: interceptTap.tap, liveCalls, instanceId: config.instanceId, clock: systemClock, log: interceptLog, metrics });
  if (intercept && interceptLog) {
    consumers.push(startInterceptConsumer({ js, handle: (event) => intercept.handleCallEvent(event), log: interceptLog, metrics }));
    intercept.jobs.start();
  }
  // The switch's registrations (ps_contacts, written by Asterisk) become connection events.
  const registrationWatcher = new RegistrationWatcher({ db, js, databaseUrl: config.database.url, log });
  await registrationWatcher.start();

  const jobs = new PeriodicJobs(systemScheduler, (job, error) => log.error('background job failed', { job, error: errorMessage(error) }));
  jobs.every('statement close', STATEMENT_CLOSE_MS, () => invoices.closeStatements(), 0);
  jobs.every('processed events pruning', PROCESSED_EVENTS_PRUNE_MS, async () => {
    const deleted = await pruneProcessedEvents(db, new Date(Date.now() - config.events.processedRetentionDays * DAY_MS));
    if (deleted > 0) log.info('old processed-event marks deleted', { deleted, retentionDays: config.events.processedRetentionDays });
  }, 60_000);

  // The consumers' figures (events consumed, backlog, held up, dead-lettered, intercept's alerts)
  // live in this process's registry: its own /metrics, where the admin API listens, next port.
  if (config.admin.tokenGenerated) {
    // Only outside production: this process generated a token of its own, unlike the controller's.
    process.stdout.write(`\nADMIN_TOKEN was not set; the workers' /metrics token is:\n\n    ${config.admin.token}\n\n`);
  }
  const metricsServer = await serveMetrics({ registry: metrics, host: config.admin.host, port: config.workers.metricsPort, token: config.admin.token, log, ...(config.admin.tls ? { tls: config.admin.tls } : {}) });
  const metricsUrl = `${config.admin.tls ? 'https' : 'http'}://${config.admin.host}:${config.workers.metricsPort}/metrics`;

  log.info('calling workers started', { consumers: consumers.length, intercept: Boolean(intercept), metrics: metricsUrl });

  installShutdown(log, async () => {
    // Prometheus keeps its connection alive: close it too, or close() would wait for it.
    metricsServer.close();
    metricsServer.closeAllConnections();
    await jobs.stop();
    await Promise.all(consumers.map((consumer) => consumer.stop()));
    await routing.jobs.stop();
    await intercept?.jobs.stop();
    interceptTap?.close();
    await registrationWatcher.stop();
    await nats.drain();
    await redis.quit();
    for (const closed of await Promise.allSettled([db.$disconnect(), sql.end()])) {
      if (closed.status === 'rejected') log.warn('database client did not close', { error: errorMessage(closed.reason) });
    }
  });
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  const cause = error instanceof Error && error.cause !== undefined ? `\ncaused by: ${error.cause instanceof Error ? error.cause.message : JSON.stringify(error.cause)}` : '';
  process.stderr.write(`calling workers failed to start: ${message}${cause}\n`);
  process.exit(1);
});
