// Composition root: load config, build adapters, create each module, start.
import { type Server } from 'node:http';
import { createAdminApi, listen } from './admin-api';
import { createCallStateModule, InMemoryCallStore, type Party, type SubscriberDirectory } from './call-state';
import { ConfigError, loadConfig } from './config';
import { errorMessage, systemClock, systemScheduler } from './shared/kernel';
import { createLogger, type Logger } from './shared/infra/logger';
import { connectNats } from './shared/infra/nats';
import { createDatabase } from './shared/infra/prisma';
import { connectRedis } from './shared/infra/redis';
import { createSessionModule } from './session';
import { createSwitchModule } from './switch';
import { createUsersModule, type User, type UserService } from './users';

const toParty = (user: User | undefined): Party | undefined =>
  user && { userId: user.id, username: user.username, phoneNumber: user.phoneNumber };

function directoryOf(users: UserService): SubscriberDirectory {
  return {
    findByUsername: async (username) => toParty(await users.findByUsername(username)),
    findByDialed: async (dialed) => toParty(await users.findByDialed(dialed)),
  };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel, service: 'calling', pretty: false }).child({ instance: config.instanceId });
  if (config.admin.tokenGenerated) {
    // Only outside production (the config refuses a missing token there).
    process.stdout.write(`\nADMIN_TOKEN was not set; this run's admin API token is:\n\n    ${config.admin.token}\n\n`);
  }

  const db = createDatabase(config.database);
  const redis = await connectRedis(config.redis.url, log.child({ module: 'redis' }));
  const nats = await connectNats(config.nats.url, config.instanceId, log.child({ module: 'nats' }));

  const users = createUsersModule({ db, clock: systemClock, options: { realm: config.sip.realm, maxDevicesPerUser: config.sip.maxDevicesPerUser } });
  const sessions = createSessionModule({ db, clock: systemClock });
  const switchModule = createSwitchModule({ ...config.ari, log });
  const calls = createCallStateModule({
    switchControl: switchModule.control,
    directory: directoryOf(users),
    connections: sessions,
    store: new InMemoryCallStore(),
    clock: systemClock,
    scheduler: systemScheduler,
    log,
    ringTimeoutSeconds: config.calls.ringTimeoutSeconds,
  });

  const api = createAdminApi({
    token: config.admin.token,
    users,
    log,
    health: [
      { name: 'postgres', check: async () => void (await db.$queryRaw`SELECT 1`) },
      { name: 'redis', check: async () => void (await redis.ping()) },
      { name: 'nats', check: async () => void (await nats.rtt()) },
      { name: 'ari', check: () => switchModule.ping() },
    ],
  });
  const server = await listen(api, config.admin.host, config.admin.port);

  // The events websocket reconnects on its own; the API is up meanwhile and /healthz tells.
  void switchModule.start({
    onEvent: (event) => void calls.handle(event),
    onConnected: (reconnected) => log.info('switch connected', { reconnected }),
  });

  log.info('calling platform started', {
    adminApi: `http://${config.admin.host}:${config.admin.port}`,
    sip: `udp:${config.sip.host}:${config.sip.port}`,
    ariApp: config.ari.app,
  });

  installShutdown(log, async () => {
    switchModule.stop();
    await closeServer(server);
    await nats.drain();
    await redis.quit();
    await db.$disconnect();
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function installShutdown(log: Logger, shutdown: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('shutdown failed', { error: errorMessage(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`calling platform failed to start: ${message}\n`);
  process.exit(1);
});
