import { connect, type NatsConnection } from 'nats';
import { type Logger } from './logger';

export async function connectNats(url: string, name: string, log: Logger): Promise<NatsConnection> {
  const nc = await connect({
    servers: url.split(','),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: false,
  });
  void (async () => {
    for await (const status of nc.status()) {
      log.info('nats status', { type: status.type, data: typeof status.data === 'object' ? JSON.stringify(status.data) : String(status.data) });
    }
  })();
  return nc;
}
