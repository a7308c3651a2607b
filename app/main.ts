// Composition root: load config, build adapters, create each module, start.
import { type Server } from 'node:http';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { createAdminApi, listen } from './admin-api';
import { createAlarmsModule } from './alarms';
import { createBillingModule } from './billing';
import { createCallLogModule, type CallRecord } from './call-log';
import { createCallPolicyModule } from './call-policy';
import { createCarriersModule, RedisCarrierCapacity } from './carriers';
import { createEdgeModule } from './edge';
import {
  CallOperations,
  createCallStateModule,
  InstanceIdInUseError,
  PrometheusCallMetrics,
  RedisCallStore,
  RedisInstanceRegistry,
  RedisStrandedOutboxes,
  type CallView,
  type Party,
  type SubscriberDirectory,
} from './call-state';
import { ConfigError, loadConfig } from './config';
import { type AnsweredCall, createInterceptModule, liveCallDirectoryOf } from './intercept';
import { createOperatorsModule } from './operators';
import { createInvoiceModule, INVOICE_CONSUMER_SETUP, invoiceConsumer } from './invoice';
import { type CallEnded, CallEndedSchema, type ConnectionEvent, ConnectionEventSchema, CONSUMERS, STREAMS } from './shared/events';
import { errorMessage, NotFoundError, PeriodicJobs, systemClock, systemScheduler } from './shared/kernel';
import { ensureConsumer, ensureStreams, JetStreamDeadLetters, OutboxPublisher } from './shared/infra/jetstream';
import { createFileLogger, createLogger } from './shared/infra/logger';
import { installShutdown } from './shared/infra/shutdown';
import { guardUnhandledRejections } from './shared/infra/process-guards';
import { connectNats } from './shared/infra/nats';
import { NatsCallChanges, PgCarrierQuality } from './console';
import { NatsCallCommands } from './shared/infra/nats-call-commands';
import { FleetCallPlacement, fleetContentTapOf, NatsPlacementBus, RedisSwitchNodeDirectory } from './fleet';
import { createDatabase } from './shared/infra/prisma';
import { createSql } from './shared/infra/sql';
import { connectRedis } from './shared/infra/redis';
import { createRoutingModule } from './routing';
import { createSessionModule } from './session';
import { AmiSorceryCache, AriOutboundRegistrations, AriRest, sorceryObjectsOf, CelFileCallLog, createAriSnoopRecorder, createSwitchModule } from './switch';
import { createDirectorySync } from './directory-sync';
import { backfillSipIdentities, createUsersModule, type User, type UserService } from './users';

const toParty = (user: User | undefined): Party | undefined =>
  user && { userId: user.id, username: user.username, phoneNumber: user.phoneNumber };

function directoryOf(users: UserService): SubscriberDirectory {
  return {
    findByUsername: async (username) => toParty(await users.findByUsername(username)),
    findByDialed: async (dialed) => toParty(await users.findByDialed(dialed)),
    findById: async (userId) => {
      try {
        return toParty(await users.get(userId));
      } catch (error) {
        if (error instanceof NotFoundError) return undefined;
        throw error;
      }
    },
  };
}

function endedCallView(record: CallRecord): CallView {
  return {
    id: record.callId,
    live: false,
    state: 'ended',
    caller: record.caller,
    ...(record.callee ? { callee: record.callee } : {}),
    dialed: record.dialed,
    endCause: record.endCause,
    ...(record.sipCode !== undefined ? { sipCode: record.sipCode } : {}),
    talkMs: record.talkMs,
    devices: [],
    history: record.history,
  };
}

// Live calls are touched well within the store's safety TTL (6 h).
const KEEP_ALIVE_INTERVAL_MS = 10 * 60 * 1000;
// How often the call path's intercept tap reads the warrants again.
const INTERCEPT_WARRANTS_REFRESH_MS = 5_000;
// What billing knows of plans and users for its outage answer is read again this often.
const BILLING_RULES_REFRESH_MS = 60_000;
// How often the outboxes of instances that stopped without coming back are looked for (a lease
// expires 5 s after a crash; a restarted instance drains its own at once).
const STRANDED_OUTBOX_CHECK_MS = 30 * 1000;
// How often the switch's event file is checked for rotation.
const SWITCH_EVENTS_ROTATE_CHECK_MS = 60 * 1000;
// Dead letters waiting are counted (metric and alarm) this often.
const DEAD_LETTERS_CHECK_MS = 60 * 1000;

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel, service: 'calling', pretty: false }).child({ instance: config.instanceId, node: config.nodeName });
  if (config.admin.tokenGenerated) {
    // Only outside production (the config refuses a missing token there).
    process.stdout.write(`\nADMIN_TOKEN was not set; this run's admin API token is:\n\n    ${config.admin.token}\n\n`);
  }
  if (config.intercept.enabled && config.intercept.adminTokenGenerated) {
    // The same for the intercept administrator (agencies and warrants), a separate credential.
    process.stdout.write(`\nINTERCEPT_ADMIN_TOKEN was not set; this run's intercept administrator token is:\n\n    ${config.intercept.adminToken}\n\n`);
  }
  const metrics = new Registry();
  // Every series carries the switch node, so a fleet's figures add up per node and in total.
  metrics.setDefaultLabels({ node: config.nodeName });
  collectDefaultMetrics({ register: metrics });
  guardUnhandledRejections(log, metrics);

  // ---- infrastructure
  const db = createDatabase(config.database);
  // The call path's per-call queries go through plain SQL (see shared/infra/sql.ts), the rest through Prisma.
  const sql = createSql({ url: config.database.url, poolSize: config.database.poolSize, log });
  const redis = await connectRedis(config.redis, log.child({ module: 'redis' }));
  // Before anything runs under this instance id (its outbox, its calls): one running controller per id.
  const instances = new RedisInstanceRegistry(redis, { instanceId: config.instanceId, log: log.child({ module: 'instances' }) });
  await instances.acquireLease();
  const nats = await connectNats(config.nats.url, config.instanceId, log.child({ module: 'nats' }));
  const jsm = await nats.jetstreamManager();
  await ensureStreams(jsm, log, { replicas: config.nats.streamReplicas });
  for (const consumer of Object.values(CONSUMERS)) {
    await ensureConsumer(jsm, consumer, consumer.name === CONSUMERS.invoices.name ? INVOICE_CONSUMER_SETUP : {}, log);
  }
  const js = nats.jetstream();
  const publisher = new OutboxPublisher({ redis, js, instanceId: config.instanceId, log: log.child({ module: 'outbox' }) });
  publisher.start();

  // ---- modules
  // Changes made through any instance's admin API reach every instance's caches and switch at once.
  const directory = createDirectorySync({ nats, instanceId: config.instanceId, log });
  const users = createUsersModule({ db, sql, clock: systemClock, options: { realm: config.sip.realm, maxDevicesPerUser: config.sip.maxDevicesPerUser, behindEdge: config.sip.behindEdge, edgeProxy: `sip:${config.sip.edgeNodeSide}`, lookupCacheMs: config.calls.userLookupCacheMs, changes: directory } });
  // Users created by an earlier release get today's identity (browser identity, the edge's route).
  const backfilled = await backfillSipIdentities(db, { behindEdge: config.sip.behindEdge, edgeProxy: `sip:${config.sip.edgeNodeSide}` });
  if (backfilled.browserIdentities + backfilled.edgeRoutes > 0) log.info('users\' SIP identities backfilled', { ...backfilled });
  const sessions = createSessionModule({ sql, clock: systemClock, log });
  const operators = createOperatorsModule({ sql, clock: systemClock });
  const billing = createBillingModule({ db, sql, clock: systemClock, log, options: { defaultCurrency: config.billing.defaultCurrency, sliceSeconds: config.billing.sliceSeconds } });
  // Known before the first call: how on-net calls are answered if billing cannot be reached.
  await billing.refreshOnNetRules();
  // Carriers that want us registered: their registrations are pushed to Asterisk over ARI.
  const carrierRegistrations = new AriOutboundRegistrations(new AriRest({ url: config.ari.url, user: config.ari.user, password: config.ari.password, maxSockets: 2, timeoutMs: config.ari.requestTimeoutMs }));
  const carriersModule = createCarriersModule({ db, sql, clock: systemClock, log, registrations: carrierRegistrations, behindEdge: config.sip.behindEdge, edgeProxy: `sip:${config.sip.edgeNodeSide}`, changes: directory });
  const carriers = carriersModule.service;
  carriersModule.registrations.start();
  // Trunks written before the switch went behind the edge (or came out from behind it) follow the
  // current topology: through the edge or straight to the carrier.
  carriers
    .alignOutboundProxy()
    .then((changed) => changed > 0 && log.info('carrier trunks now follow the edge setting', { changed, behindEdge: config.sip.behindEdge }))
    .catch((error: unknown) => log.warn('carrier trunks not aligned with the edge setting', { error: errorMessage(error) }));
  const invoices = createInvoiceModule({ db, settlement: billing, clock: systemClock, log });
  // The recommendation service: decks and both quality layers are loaded before the first call.
  const routing = createRoutingModule({ db, sql, retail: billing, clock: systemClock, log, options: config.routing });
  await routing.service.start();
  routing.jobs.start();
  // Call records carry the node and, through a carrier, its cost by the decks routing holds.
  const callLog = createCallLogModule({ sql, log, node: config.nodeName, costs: routing.service });
  // Emergency numbers, suspension, limits and fraud caps: decided before routing and billing.
  const callPolicy = createCallPolicyModule({ config: config.callPolicy, carriers, standing: users, sql, redis, metrics, scheduler: systemScheduler, log, changes: directory });
  await callPolicy.start();
  // The switch's sorcery memory caches of SIP identities (asterisk/conf/sorcery.conf) over AMI.
  const sorceryCache = new AmiSorceryCache(config.ami);
  directory.onChange('switch sorcery cache', (change) => sorceryCache.expire(sorceryObjectsOf(change)));
  directory.onChange('user lookups', (change) => {
    if (change.kind === 'user') users.forgetCached(change.userId);
  });
  directory.onChange('call policy', (change) => callPolicy.applyChange(change));
  directory.start();
  // Both paths: Asterisk sends only the event types the mapper reads (an ARI event filter).
  const switchModule = createSwitchModule({ ...config.ari, log, declineUnreadEvents: true });
  new Gauge({
    name: 'switch_ari_requests',
    help: 'ARI requests the call path sent to the switch since start',
    registers: [metrics],
    collect() {
      this.set(switchModule.requestsSent());
    },
  });
  const switchLog = config.switchEvents.file ? new CelFileCallLog({ file: config.switchEvents.file, maxBytes: config.switchEvents.maxBytes, log: log.child({ module: 'switch' }) }) : undefined;
  const store = new RedisCallStore(redis, { instanceId: config.instanceId, log: log.child({ module: 'call-store' }), onEventsQueued: () => publisher.wake(), writeTimeoutMs: config.redis.commandTimeoutMs });
  // [intercept hook] Lawful intercept's tap at the answer (app/intercept/call-path-tap.ts), set
  // once the intercept module exists (before the switch connects: no call is answered earlier).
  const answerTaps: Array<(call: AnsweredCall) => Promise<void>> = [];
  const calls = createCallStateModule({
    answerObserver: { answered: (call) => answerTaps.forEach((tap) => void tap(call)) },
    switchControl: switchModule.control,
    directory: directoryOf(users),
    connections: sessions,
    store,
    clock: systemClock,
    scheduler: systemScheduler,
    log,
    ringTimeoutSeconds: config.calls.ringTimeoutSeconds,
    callPath: config.calls.path,
    metrics: new PrometheusCallMetrics(metrics),
    instanceId: config.instanceId,
    instances,
    switchLog,
    ownCallsOnly: config.fleetNode,
    authorizer: billing,
    admission: callPolicy.admission,
    creditWarningSeconds: config.billing.warningToneSeconds,
    pstn: {
      router: routing.service,
      carriers,
      capacity: new RedisCarrierCapacity(redis),
      progressTimeoutSeconds: config.calls.carrierProgressTimeoutSeconds,
    },
  });
  // Each consumer's schema and single-event handler, for its deliveries and its dead letters' replay.
  const replayTargets = {
    [CONSUMERS.callRecords.name]: { schema: CallEndedSchema, handle: (event: CallEnded) => callLog.recordEndedCall(event) },
    [CONSUMERS.sessions.name]: { schema: ConnectionEventSchema, handle: (event: ConnectionEvent) => sessions.handleConnectionEvent(event) },
    [CONSUMERS.invoices.name]: { schema: CallEndedSchema, handle: invoiceConsumer(invoices).handle },
    [CONSUMERS.routing.name]: { schema: CallEndedSchema, handle: (event: CallEnded) => routing.service.handleCallEnded(event) },
  };
  // The consumers of these events (call records, sessions, invoices, routing's speed layer,
  // intercept) run in the workers' process (app/bin/workers-main.ts), off the call path.
  // Intercept's dead letters are not the operators' (their events name a warrant's target's calls).
  const deadLetters = new JetStreamDeadLetters({ jsm, targets: replayTargets, log: log.child({ module: 'dead-letters' }), metrics });
  // Lawful intercept's API (a warrant started mid-call taps at once): snoop/record over its own ARI
  // sockets, and its own log (INTERCEPT_LOG_FILE): no warrant, target or recording reaches the
  // application log. Its consumer of call events and its jobs run in the workers.
  const interceptLog = config.intercept.enabled ? createFileLogger({ level: config.logLevel, service: 'calling-intercept', file: config.intercept.logFile }).child({ instance: config.instanceId }) : undefined;
  // In a fleet, each node announces its switch; taps go to the node that holds the target's channel.
  const switchNodes = config.fleetNode ? new RedisSwitchNodeDirectory(redis, log.child({ module: 'switch-nodes' })) : undefined;
  if (switchNodes && config.placesCalls) switchNodes.announce({ node: config.nodeName, ariUrl: config.ari.url, app: config.ari.app });
  const interceptTap = interceptLog && (switchNodes ? fleetContentTapOf(() => switchNodes.nodes(), (node) => createAriSnoopRecorder({ ...config.ari, url: node.ariUrl, app: node.app, maxSockets: 8 })) : createAriSnoopRecorder({ ...config.ari, maxSockets: 8 }));
  const intercept = interceptLog && interceptTap && createInterceptModule({ ...config.intercept, db, sql, tap: interceptTap.tap, liveCalls: liveCallDirectoryOf(store), instanceId: config.instanceId, clock: systemClock, log: interceptLog, metrics });
  // The call path's own tap (no stream, no database at the answer); the consumer in the workers takes over its taps.
  if (intercept) answerTaps.push((call) => intercept.callPathTap.answered(call));

  const healthChecks = [
    // Both clients: Prisma (admin API, settlement, jobs) and the call path's pool.
    { name: 'postgres', check: async () => void (await Promise.all([db.$queryRaw`SELECT 1`, sql.query('SELECT 1', [], 'health-ping')])) },
    { name: 'redis', check: async () => void (await redis.ping()) },
    { name: 'nats', check: async () => void (await nats.rtt()) },
    // A node whose Asterisk is gone is not ready (the admin instance drives no switch: not its health).
    ...(config.placesCalls ? [{ name: 'ari', check: () => switchModule.ping() }] : []),
  ];
  // Alarm rules over the call records, balances, health checks and dead letters.
  const alarms = createAlarmsModule({
    sql,
    thresholds: config.alarms,
    clock: systemClock,
    log,
    metrics,
    dependencies: () =>
      Promise.all(
        healthChecks.map(async (dependency) => {
          try {
            await dependency.check();
            return { name: dependency.name, ok: true };
          } catch (error) {
            return { name: dependency.name, ok: false, error: errorMessage(error) };
          }
        }),
      ),
    deadLetters: async () => (await jsm.streams.info(STREAMS.deadLetters.name)).state.messages,
  });
  // Operator actions on a call another instance drives (a fleet node) are forwarded to it over NATS.
  const callCommands = new NatsCallCommands(nats, { instanceId: config.instanceId, timeoutMs: CALL_COMMAND_TIMEOUT_MS, log: log.child({ module: 'call-commands' }) });
  // In a fleet, click-to-calls are placed by a node whose switch is up: this one, or any (the core's).
  const placementBus = config.fleetNode ? new NatsPlacementBus(nats, { node: config.nodeName, timeoutMs: CALL_PLACEMENT_TIMEOUT_MS, log: log.child({ module: 'call-placement' }) }) : undefined;
  const placement = placementBus && new FleetCallPlacement(placementBus, { placesCalls: config.placesCalls, switchUp: () => switchModule.eventsConnected(), log: log.child({ module: 'call-placement' }) });
  const callOperations = new CallOperations(store, calls, switchModule.control, { find: async (id) => {
    const record = await callLog.find(id);
    return record && endedCallView(record);
  } }, directoryOf(users), { instanceId: config.instanceId, forwarder: callCommands, ...(placement ? { placement } : {}) });
  // The SIP edge's bans and attack counters, where the app knows the edge (EDGE_RPC_URL).
  const edge = config.edge && createEdgeModule({ rpcUrl: config.edge.rpcUrl, rpcTimeoutMs: config.edge.rpcTimeoutMs, metrics, log, sql });
  const api = createAdminApi({
    token: config.admin.token,
    trustedProxies: config.admin.trustedProxies,
    ...(edge ? { sipBans: edge.bans } : {}),
    operators: operators.service,
    phone: config.phone,
    console: { sessions: operators.sessions, audit: operators.service, assetsDir: config.console.assetsDir, node: config.nodeName, changes: new NatsCallChanges(nats, log.child({ module: 'console' })), live: { name: 'alarms', snapshot: () => Promise.resolve({ alarms: alarms.list() }) } },
    alarms,
    users,
    sessions,
    billing,
    carriers,
    invoices,
    routing: routing.service,
    callPolicy: callPolicy.admin,
    callRecords: callLog,
    carrierQuality: new PgCarrierQuality(sql),
    calls: callOperations,
    metrics,
    log,
    deadLetters,
    ...(intercept && interceptLog ? { intercept: { api: intercept, adminToken: config.intercept.adminToken, log: interceptLog } } : {}),
    health: healthChecks,
  });
  const server = await listen(api, config.admin.host, config.admin.port, config.admin.tls);
  // Operator commands for calls this instance drives, sent by the instance an operator reached.
  callCommands.serve((command) => callOperations.execute(command));
  if (placementBus && config.placesCalls) placementBus.serve((command) => callOperations.execute(command), () => switchModule.eventsConnected());
  if (config.env === 'production' && config.admin.inClearBeyondLoopback) {
    log.warn('admin API takes bearer tokens over plain HTTP on a non-loopback address', { host: config.admin.host, fix: 'ADMIN_TLS_CERT_FILE/ADMIN_TLS_KEY_FILE, a TLS proxy in ADMIN_TRUSTED_PROXIES, or ADMIN_HOST=127.0.0.1' });
  }

  // Calls left by a previous run are taken over before any switch event is handled; after every
  // (re)connection of the event stream, they are compared with what Asterisk really has.
  // First the unpublished events of instances that no longer run (so a call's older events go out
  // before those its new owner writes), then their calls.
  const strandedOutboxes = new RedisStrandedOutboxes(redis, { instanceId: config.instanceId, leaseKeyOf: (id) => instances.leaseKeyOf(id), log: log.child({ module: 'outbox' }) });
  if ((await strandedOutboxes.adopt()) > 0) publisher.wake();
  const recovered = await calls.recover();
  if (recovered > 0) log.info('live calls recovered from the store', { calls: recovered });
  // From now on (after recover() read the previous run's), the heartbeat says until when this
  // instance's switch events were known to arrive; the lease is renewed with it. A controller that
  // lost its lease to another process stops: that one now drives this id's calls and outbox.
  const lifecycle: { stop?: (signal: string, exitCode?: number) => void } = {};
  instances.start(
    () => switchModule.eventsSeenAt(),
    () => {
      // Not one more outbox round: the new holder drains that list now.
      void publisher.stop();
      lifecycle.stop?.('lease lost', 1);
    },
  );
  void switchModule.start({
    onEvent: (event) => void calls.handle(event),
    onConnected: (reconnected, lostAt) => {
      const connectedAt = new Date();
      log.info('switch connected', { reconnected });
      calls.resync(connectedAt, lostAt).catch((error: unknown) => log.error('reconciliation failed', { error: errorMessage(error) }));
      carriers.syncRegistrations().catch((error: unknown) => log.warn('carrier registrations sync failed', { error: errorMessage(error) }));
    },
  });
  // Credit held for calls whose end was lost is released after a while.
  const reservationSweep = setInterval(() => {
    billing.releaseStaleReservations().catch((error: unknown) => log.error('reservation sweep failed', { error: errorMessage(error) }));
  }, 5 * 60_000);
  reservationSweep.unref();
  const keepAlive = setInterval(() => {
    calls.keepAlive().catch((error: unknown) => log.warn('refreshing live calls failed', { error: errorMessage(error) }));
  }, KEEP_ALIVE_INTERVAL_MS);
  keepAlive.unref();
  // Calls of a fleet node that never came back (no restarted controller adopted them) are closed. One
  // switch shared by instances (no fleet) has their channels: a restarted instance adopts them there.
  const deadNodeSweep = setInterval(() => {
    if (!config.fleetNode) return;
    calls.closeCallsOfDeadInstances(DEAD_INSTANCE_CALLS_AFTER_MS).catch((error: unknown) => log.warn('closing calls of dead instances failed', { error: errorMessage(error) }));
    // This node's own Asterisk gone as long (its controller lives): its calls are closed the same way.
    const switchSeenAt = switchModule.eventsConnected() ? undefined : switchModule.eventsSeenAt();
    if (config.placesCalls && switchSeenAt && Date.now() - switchSeenAt.getTime() >= DEAD_INSTANCE_CALLS_AFTER_MS) {
      calls.closeCallsOfLostSwitch(switchSeenAt).catch((error: unknown) => log.warn('closing calls of the lost switch failed', { error: errorMessage(error) }));
    }
  }, DEAD_INSTANCE_SWEEP_MS);
  deadNodeSweep.unref();
  const jobs = new PeriodicJobs(systemScheduler, (job, error) => log.error('background job failed', { job, error: errorMessage(error) }));
  jobs.every('billing on-net rules', BILLING_RULES_REFRESH_MS, () => billing.refreshOnNetRules());
  jobs.every('alarms', config.alarms.intervalSeconds * 1000, async () => void (await alarms.evaluateNow()), 0);
  jobs.every('stranded outboxes', STRANDED_OUTBOX_CHECK_MS, async () => {
    if ((await strandedOutboxes.adopt()) > 0) publisher.wake();
  });
  // The alarm: dead_letters_waiting and an error log while any wait for a replay.
  jobs.every('dead letters count', DEAD_LETTERS_CHECK_MS, async () => void (await deadLetters.refreshWaiting()), 5_000);
  if (switchLog) jobs.every('switch event file rotation', SWITCH_EVENTS_ROTATE_CHECK_MS, () => switchLog.rotate().then(() => undefined));
  // The warrants the call path's tap knows (a new or changed warrant reaches it within seconds).
  if (intercept) jobs.every('intercept warrants for the call path', INTERCEPT_WARRANTS_REFRESH_MS, () => intercept.callPathTap.refresh(), 0);

  log.info('calling platform started', {
    adminApi: `${config.admin.tls ? 'https' : 'http'}://${config.admin.host}:${config.admin.port}`,
    sip: `udp:${config.sip.host}:${config.sip.port}`,
    ariApp: config.ari.app,
  });

  lifecycle.stop = installShutdown(log, async () => {
    clearInterval(keepAlive);
    clearInterval(deadNodeSweep);
    clearInterval(reservationSweep);
    await jobs.stop();
    instances.stop();
    switchModule.stop();
    callCommands.stop();
    placementBus?.stop();
    switchNodes?.stop();
    await closeServer(server);
    await routing.jobs.stop();
    directory.stop();
    await callPolicy.stop();
    await carriersModule.registrations.stop();
    interceptTap?.close();
    // Events already queued are published before leaving (what is left stays in Redis for the next run).
    await publisher.drained(5000);
    await publisher.stop();
    await nats.drain();
    await instances.releaseLease();
    await redis.quit();
    // Both closed even if one fails to (each failure logged).
    for (const closed of await Promise.allSettled([db.$disconnect(), sql.end()])) {
      if (closed.status === 'rejected') log.warn('database client did not close', { error: errorMessage(closed.reason) });
    }
  });
}

// Intercept taps on every node's ARI (same credentials across the fleet), each node's snoops entering
// the application its own controller subscribes.
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

// A gone instance's calls are left this long past its last heartbeat for its restarted self to
// adopt (a node brought back within it keeps its calls' records exact), then closed by a peer.
const DEAD_INSTANCE_CALLS_AFTER_MS = 30_000;
const DEAD_INSTANCE_SWEEP_MS = 5_000;

// How long an operator's command waits for the node that drives the call before a 503.
const CALL_COMMAND_TIMEOUT_MS = 3000;
// A click-to-call is placed once its devices ring (saved, then originated): longer than a hang-up.
const CALL_PLACEMENT_TIMEOUT_MS = 10_000;

main().catch((error: unknown) => {
  const message = error instanceof ConfigError || error instanceof InstanceIdInUseError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  // A wrapped error's cause is what an operator needs to see (e.g. which JetStream call failed and why).
  const cause = error instanceof Error && error.cause !== undefined ? `\ncaused by: ${error.cause instanceof Error ? error.cause.message : JSON.stringify(error.cause)}` : '';
  process.stderr.write(`calling platform failed to start: ${message}${cause}\n`);
  process.exit(1);
});
