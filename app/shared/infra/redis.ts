import { createClient } from 'redis';
import { type Logger } from './logger';

export type Redis = ReturnType<typeof createClient>;

export async function connectRedis(url: string, log: Logger): Promise<Redis> {
  const client = createClient({
    url,
    socket: {
      connectTimeout: 5000,
      // Keep retrying with a capped backoff: Redis coming back must not need a restart of ours.
      reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 5000),
    },
  });
  client.on('error', (error: Error) => log.warn('redis connection error', { error: error.message }));
  await client.connect();
  return client;
}
