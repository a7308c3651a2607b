import { EventEmitter } from 'node:events';
import { type AriEvent } from './ari-event-mapper';

// The part of the `ws` package (6.x) used here; it ships no types of its own.
interface WsSocket {
  on(event: 'open' | 'pong', listener: () => void): this;
  on(event: 'message', listener: (data: Buffer | string) => void): this;
  on(event: 'close', listener: (code: number) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  on(event: 'unexpected-response', listener: (req: unknown, res: { statusCode?: number; resume(): void }) => void): this;
  ping(): void;
  terminate(): void;
  removeAllListeners(): this;
}
type WsConstructor = new (url: string, options: { headers: Record<string, string>; handshakeTimeout: number; perMessageDeflate: boolean }) => WsSocket;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const WebSocket = require('ws') as WsConstructor;

export class AriWebSocketError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AriWebSocketError';
  }
}

const HANDSHAKE_TIMEOUT_MS = 10_000;

// The Stasis application's events straight off ARI's websocket (/ari/events), each message parsed
// once into the plain JSON the event mapper reads. It replaces ari-client, which for every event
// built object models (a Channel, Bridge... with every ARI operation attached as a closure) and
// ran them through its emitter: measured under bench/call-setup as ~4% of the controller's CPU, for
// objects nothing read. Emits '*' (every event), 'WebSocketConnected', 'pong' and 'closed' (the
// socket ended after it opened); reconnecting is the caller's job (ari-event-stream.ts).
export class AriWebSocket extends EventEmitter {
  private socket: WsSocket | undefined;

  constructor(
    private readonly url: string,
    private readonly user: string,
    private readonly password: string,
  ) {
    super();
  }

  // Listeners take the event's own arguments (an AriEvent for '*', the close code for 'closed').
  override on(event: string, listener: (...args: never[]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  // Resolves once the websocket is open; rejects if it cannot be opened.
  start(app: string): Promise<void> {
    const base = new URL(this.url);
    base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
    const events = new URL('/ari/events', base);
    events.searchParams.set('app', app);
    const socket = new WebSocket(events.toString(), {
      headers: { authorization: `Basic ${Buffer.from(`${this.user}:${this.password}`).toString('base64')}` },
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      perMessageDeflate: false,
    });
    this.socket = socket;
    return new Promise<void>((resolve, reject) => {
      let opened = false;
      socket.on('unexpected-response', (_req, res) => {
        res.resume();
        socket.terminate();
        reject(new AriWebSocketError(`ARI events websocket answered ${res.statusCode ?? 0}`));
      });
      socket.on('error', (error) => {
        if (!opened) reject(new AriWebSocketError(`ARI events websocket failed: ${error.message}`, { cause: error }));
        // After the open, an error is followed by 'close', which reports the loss.
      });
      socket.on('open', () => {
        opened = true;
        resolve();
        this.emit('WebSocketConnected');
      });
      socket.on('pong', () => this.emit('pong'));
      socket.on('message', (data) => this.onMessage(data));
      socket.on('close', (code) => {
        if (opened) this.emit('closed', code);
        else reject(new AriWebSocketError(`ARI events websocket closed before it opened (${code})`));
      });
    });
  }

  ping(): void {
    this.socket?.ping();
  }

  stop(): void {
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return;
    socket.removeAllListeners();
    // A late error of the discarded socket must not go unheard (it would crash the process).
    socket.on('error', () => undefined);
    socket.terminate();
  }

  private onMessage(data: Buffer | string): void {
    let event: AriEvent;
    try {
      event = JSON.parse(typeof data === 'string' ? data : data.toString('utf8')) as AriEvent;
    } catch {
      // Asterisk sends JSON only; a frame that is not is no event of ours (and not worth a crash).
      this.emit('unreadable');
      return;
    }
    this.emit('*', event);
  }
}
