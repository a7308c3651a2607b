import { connect, type ConnectionOptions, type NatsConnection } from 'nats';
import { type Logger } from './logger';

// NATS_URL may carry the credentials (nats://user:pass@host:port,nats://...), like REDIS_URL and
// DATABASE_URL; nats.js takes them only as options, so they are lifted out of the server URLs.
export function natsConnectOptions(url: string): Pick<ConnectionOptions, 'servers' | 'user' | 'pass'> {
  let user: string | undefined;
  let pass: string | undefined;
  const servers = url.split(',').map((entry) => {
    const server = entry.trim();
    const at = server.lastIndexOf('@');
    if (at < 0) return server;
    const scheme = server.indexOf('://');
    const userinfo = server.slice(scheme < 0 ? 0 : scheme + 3, at);
    const colon = userinfo.indexOf(':');
    user = decodeURIComponent(colon < 0 ? userinfo : userinfo.slice(0, colon));
    pass = colon < 0 ? undefined : decodeURIComponent(userinfo.slice(colon + 1));
    return `${scheme < 0 ? '' : server.slice(0, scheme + 3)}${server.slice(at + 1)}`;
  });
  return { servers, ...(user === undefined ? {} : { user }), ...(pass === undefined ? {} : { pass }) };
}

export async function connectNats(url: string, name: string, log: Logger): Promise<NatsConnection> {
  const nc = await connect({
    ...natsConnectOptions(url),
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
