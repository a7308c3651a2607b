import http from 'node:http';
import https from 'node:https';
import { AppError } from '../shared/kernel';

export class AriRequestError extends AppError {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    body: string,
  ) {
    super('SWITCH.REQUEST_FAILED', `ARI ${method} ${path} answered ${status}`, status === 404 ? 'not_found' : 'unavailable', {
      method,
      path,
      status,
      body: body.slice(0, 300),
    });
  }
}

export class AriTimeoutError extends AppError {
  constructor(method: string, path: string, timeoutMs: number) {
    super('SWITCH.TIMEOUT', `ARI ${method} ${path} got no answer within ${timeoutMs} ms`, 'unavailable', { method, path, timeoutMs });
  }
}

export class AriUnreachableError extends AppError {
  constructor(method: string, path: string, cause: unknown) {
    super('SWITCH.UNREACHABLE', `ARI ${method} ${path} failed: ${cause instanceof Error ? cause.message : String(cause)}`, 'unavailable', { method, path }, { cause });
  }
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface AriRestOptions {
  url: string;
  user: string;
  password: string;
  maxSockets: number;
  timeoutMs: number;
}

// ARI REST over a capped keep-alive agent, with a deadline on every request. ari-client's own REST
// layer (swagger-client 2 / shred) opens unbounded connections on the global agent and drops
// network errors: past Asterisk's HTTP session limit its promises never settle and channels stay
// stuck in Stasis. Here a refused or slow request always ends as an error the caller handles.
export class AriRest {
  private readonly agent: http.Agent;
  private readonly base: URL;
  private readonly authorization: string;
  // Requests sent so far (operators and bench/call-setup: ARI round trips per call).
  private sent = 0;

  constructor(private readonly options: AriRestOptions) {
    this.base = new URL(options.url);
    const Agent = this.base.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: options.maxSockets, scheduling: 'lifo' });
    this.authorization = `Basic ${Buffer.from(`${options.user}:${options.password}`).toString('base64')}`;
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, query);
  }

  post<T>(path: string, query?: Query, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, query, body);
  }

  delete<T>(path: string, query?: Query): Promise<T> {
    return this.request<T>('DELETE', path, query);
  }

  get requestsSent(): number {
    return this.sent;
  }

  request<T>(method: string, path: string, query?: Query, body?: unknown, timeoutMs = this.options.timeoutMs): Promise<T> {
    this.sent += 1;
    const url = new URL(`/ari${path}`, this.base);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise<T>((resolve, reject) => {
      const req = transport.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            authorization: this.authorization,
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (error) => finish(new AriUnreachableError(method, path, error)));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) return finish(new AriRequestError(method, path, status, text));
            if (!text) return finish(undefined, undefined);
            try {
              finish(undefined, JSON.parse(text) as T);
            } catch (error) {
              finish(new AriUnreachableError(method, path, error));
            }
          });
        },
      );
      // The deadline covers waiting for a free socket as well as Asterisk's answer.
      const timer = setTimeout(() => {
        finish(new AriTimeoutError(method, path, timeoutMs));
        req.destroy();
      }, timeoutMs);
      let settled = false;
      function finish(error: Error | undefined, value?: T): void {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(value as T);
      }
      req.on('error', (error) => finish(new AriUnreachableError(method, path, error)));
      if (payload) req.write(payload);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
