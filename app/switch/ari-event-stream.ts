import ari from 'ari-client';
import { errorMessage } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type AriEvent } from './ari-event-mapper';

export interface AriEventStreamOptions {
  url: string;
  user: string;
  password: string;
  app: string;
  log: Logger;
  onEvent: (event: AriEvent) => void;
  // Called on every (re)connection of the events websocket; `reconnected` is false the first time.
  // lostAt: on a reconnection, the last moment the previous connection was known to deliver events.
  onConnected: (reconnected: boolean, lostAt?: Date) => void;
  pingIntervalMs?: number;
}

// The part of ari-client's Client this adapter uses ('*' carries every Stasis event).
interface AriClient {
  on(event: string, listener: (...args: never[]) => void): void;
  start(app: string): Promise<void>;
  stop(): void;
  ping(): void;
  removeAllListeners(): void;
}

// ari-client loads ARI's API description with swagger-client 2.0, whose failure handler rejects and
// then *throws* inside an HTTP callback: an Asterisk answering 500 during a restart would crash the
// whole controller with an uncaught exception. The rejection alone is what ari-client needs, so the
// copy of swagger-client that ari-client itself loads is patched to only reject.
interface SwaggerApiPrototype {
  fail(message: unknown): void;
  failure(message: unknown): void;
}
function makeSwaggerFailuresRejectOnly(): void {
  const swaggerPath = require.resolve('swagger-client', { paths: [require.resolve('ari-client')] });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const swagger = require(swaggerPath) as { SwaggerApi: { prototype: SwaggerApiPrototype } };
  swagger.SwaggerApi.prototype.fail = function fail(this: SwaggerApiPrototype, message: unknown): void {
    this.failure(message);
  };
}
makeSwaggerFailuresRejectOnly();

const CONNECT_TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = 5_000;

// The Stasis application's event websocket, through ari-client. ari-client retries a dropped
// websocket only ten times and then gives up, and cannot notice a silently dead connection, so
// this wraps it: ping/pong liveness, and a fresh client with capped exponential backoff forever.
export class AriEventStream {
  private client: AriClient | undefined;
  private stopped = false;
  private everConnected = false;
  private isConnected = false;
  // The last pong or event from Asterisk: proof that the connection delivered events until then.
  private lastPong = Date.now();
  // Set when a connection is lost: the last moment it was known to deliver events.
  private lostAt: Date | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private firstConnection: { resolve: () => void } | undefined;

  constructor(private readonly options: AriEventStreamOptions) {}

  get connected(): boolean {
    return this.isConnected;
  }

  // The last moment Asterisk's events were known to reach this controller: now while connected,
  // the moment the connection was lost otherwise; undefined before the first connection.
  eventsSeenAt(): Date | undefined {
    return this.isConnected ? new Date() : this.lostAt;
  }

  // Resolves once the websocket is open the first time; keeps reconnecting afterwards.
  start(): Promise<void> {
    return new Promise((resolve) => {
      this.firstConnection = { resolve };
      void this.connect();
    });
  }

  stop(): void {
    this.markLost(new Date());
    this.stopped = true;
    clearInterval(this.pingTimer);
    clearTimeout(this.retryTimer);
    this.dropClient();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const { url, user, password, app, log } = this.options;
    try {
      const client = (await withTimeout(ari.connect(url, user, password), CONNECT_TIMEOUT_MS, 'ARI connect')) as unknown as AriClient;
      if (this.stopped) return;
      this.client = client;
      client.on('*', (event: AriEvent) => {
        this.lastPong = Date.now();
        this.options.onEvent(event);
      });
      client.on('WebSocketConnected', () => this.onOpen());
      client.on('WebSocketReconnecting', (error?: Error) => {
        // The socket closed: everything sent before the close was delivered, so events flowed until now.
        this.markLost(new Date());
        clearInterval(this.pingTimer);
        log.warn('ari websocket reconnecting', { error: error ? errorMessage(error) : undefined });
      });
      client.on('WebSocketMaxRetries', () => this.retry('websocket retries exhausted'));
      client.on('pong', () => {
        this.lastPong = Date.now();
      });
      await withTimeout(client.start(app), CONNECT_TIMEOUT_MS, 'ARI websocket');
    } catch (error) {
      this.retry(errorMessage(error));
    }
  }

  private onOpen(): void {
    const reconnected = this.everConnected;
    const lostAt = reconnected ? this.lostAt : undefined;
    this.everConnected = true;
    this.isConnected = true;
    this.lostAt = undefined;
    this.attempt = 0;
    this.lastPong = Date.now();
    this.options.log.info('ari websocket connected', { app: this.options.app, reconnected, lostAt: lostAt?.toISOString() });
    this.startPinging();
    this.firstConnection?.resolve();
    this.firstConnection = undefined;
    this.options.onConnected(reconnected, lostAt);
  }

  // The first sign of a lost connection decides when events stopped; later ones change nothing.
  private markLost(at: Date): void {
    if (this.isConnected) this.lostAt = at;
    this.isConnected = false;
  }

  private startPinging(): void {
    clearInterval(this.pingTimer);
    const interval = this.options.pingIntervalMs ?? 5_000;
    this.pingTimer = setInterval(() => {
      if (!this.isConnected) return;
      if (Date.now() - this.lastPong > interval * 3) {
        this.retry('no pong from Asterisk');
        return;
      }
      try {
        this.client?.ping();
      } catch (error) {
        // ws throws when the socket closed between our check and the ping: a lost connection.
        this.retry(`ping failed: ${errorMessage(error)}`);
      }
    }, interval);
    this.pingTimer.unref();
  }

  private retry(reason: string): void {
    if (this.stopped) return;
    // Silence (no pong) proves nothing after the last thing Asterisk sent.
    this.markLost(new Date(this.lastPong));
    clearInterval(this.pingTimer);
    this.dropClient();
    const delay = Math.min(250 * 2 ** this.attempt, MAX_BACKOFF_MS);
    this.attempt += 1;
    this.options.log.warn('ari connection lost, retrying', { reason, delayMs: delay, attempt: this.attempt });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private dropClient(): void {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    client.removeAllListeners();
    try {
      client.stop();
    } catch (error) {
      // The websocket was never opened; nothing to close.
      this.options.log.debug('ari client stop failed', { error: errorMessage(error) });
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
