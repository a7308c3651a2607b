import { errorMessage } from '../kernel';
import { type Logger } from './logger';

// A dependency that is down can hold a graceful step forever (NATS drain and Redis quit wait for a
// server that retries without end), so the shutdown has a deadline; a second signal ends it at once.
const SHUTDOWN_DEADLINE_MS = 10_000;

// SIGINT/SIGTERM run `shutdown` once, within the deadline; returns what stops the process from
// inside (e.g. a lost lease) with an exit code. Shared by the controller and the workers' mains.
export function installShutdown(log: Logger, shutdown: () => Promise<void>): (signal: string, exitCode?: number) => void {
  let stopping = false;
  const stop = (signal: string, exitCode = 0): void => {
    if (stopping) {
      log.warn('second signal during shutdown, exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    log.info('shutting down', { signal });
    setTimeout(() => {
      log.error('shutdown did not finish in time, exiting', { deadlineMs: SHUTDOWN_DEADLINE_MS });
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    shutdown().then(
      () => process.exit(exitCode),
      (error: unknown) => {
        log.error('shutdown failed', { error: errorMessage(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  return stop;
}
