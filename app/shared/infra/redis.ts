import { createClient } from 'redis';
import { AppError } from '../kernel';
import { type Logger } from './logger';

export type Redis = ReturnType<typeof createClient>;

export interface RedisSettings {
  url: string;
  // A command not written to Redis in this long fails with node-redis's TimeoutError (unset: never).
  // node-redis stops the clock once a command is written, so writes that must not hang on a Redis
  // that stopped answering are bounded with withinTimeout() too (the call store's).
  commandTimeoutMs?: number;
}

// Commands waiting for a reply or to be written, at most: past it a command fails at once ("The
// queue is full") instead of holding memory while Redis is slow.
const COMMANDS_QUEUE_MAX_LENGTH = 10_000;

// Fail fast: while Redis is unreachable a command fails at once (no offline queue that would grow
// for the whole outage and replay stale work after it), and the wait on a Redis that hangs is
// bounded (commandTimeoutMs, withinTimeout). Callers decide what a failure means (a new call is
// refused with 503, a live call's write is kept and retried: call-state/pending-store-writes.ts).
export async function connectRedis(target: string | RedisSettings, log: Logger): Promise<Redis> {
  const settings = typeof target === 'string' ? { url: target } : target;
  const client = createClient({
    url: settings.url,
    disableOfflineQueue: true,
    commandsQueueMaxLength: COMMANDS_QUEUE_MAX_LENGTH,
    ...(settings.commandTimeoutMs ? { commandOptions: { timeout: settings.commandTimeoutMs } } : {}),
    socket: {
      connectTimeout: 5000,
      // Keep retrying with a capped backoff: Redis coming back must not need a restart of ours.
      reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 2000),
    },
  });
  client.on('error', (error: Error) => log.warn('redis connection error', { error: error.message }));
  await client.connect();
  return client;
}

// A MULTI/EXEC (node-redis applies no command timeout to transactions) that did not answer in time.
export class RedisTimeoutError extends AppError {
  constructor(what: string, timeoutMs: number) {
    super('REDIS.TIMEOUT', `redis did not answer ${what} within ${timeoutMs} ms`, 'unavailable', { what, timeoutMs });
  }
}

// Bounds a Redis transaction's wait. The transaction may still run later: callers only use it for
// writes that are safe to repeat (Redis runs one connection's commands in order, so a retry lands
// after it).
export function withinTimeout<T>(work: Promise<T>, timeoutMs: number | undefined, what: string): Promise<T> {
  if (!timeoutMs) return work;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new RedisTimeoutError(what, timeoutMs)), timeoutMs);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
