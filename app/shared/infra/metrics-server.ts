import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { type Registry } from 'prom-client';
import { type Logger } from './logger';
import { errorMessage } from '../kernel';

export interface MetricsServerOptions {
  registry: Registry;
  host: string;
  port: number;
  // Bearer token Prometheus presents (the admin API's /metrics takes the same one).
  token: string;
  tls?: { certFile: string; keyFile: string };
  log: Logger;
}

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

// A process without the admin API (the workers) serves its registry alone: GET /metrics with the
// admin token, nothing else. Resolves once listening; the server is closed by the caller.
export function serveMetrics(options: MetricsServerOptions): Promise<Server> {
  const expected = digest(options.token);
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    const presented = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' }).end('unauthorized\n');
      return;
    }
    options.registry.metrics().then(
      (body) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(body),
      (error: unknown) => {
        options.log.error('metrics not collected', { error: errorMessage(error) });
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics not collected\n');
      },
    );
  };
  const server = options.tls
    ? createHttpsServer({ cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile), minVersion: 'TLSv1.2' }, handle)
    : createServer(handle);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
