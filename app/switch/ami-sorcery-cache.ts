import { connect, type Socket } from 'node:net';
import { AppError } from '../shared/kernel';

// The sorcery memory caches in front of PJSIP realtime (asterisk/conf/sorcery.conf): their names,
// one per object type.
export const SORCERY_CACHES = { endpoint: 'pjsip_endpoint', auth: 'pjsip_auth', aor: 'pjsip_aor' } as const;
export type SorceryObjectType = keyof typeof SORCERY_CACHES;

export class SorceryCacheExpiryError extends AppError {
  constructor(message: string, details: Record<string, unknown>, cause?: unknown) {
    super('SWITCH.SORCERY_CACHE_EXPIRY_FAILED', message, 'unavailable', details, { cause });
  }
}

export interface AmiOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  timeoutMs: number;
}

// Expires PJSIP objects in the switch's sorcery memory caches over AMI (the only thing AMI is
// enabled for: manager.conf), so that a change of a user or carrier is read from PostgreSQL on the
// object's next use. One short connection per batch: changes are rare (an operator's action), and
// a connection held open would need its own keep-alive and reconnection for nothing.
// An object that is not in the cache is already as good as expired: AMI answers Error for it, and
// that is not a failure.
export class AmiSorceryCache {
  constructor(private readonly options: AmiOptions) {}

  async expire(objects: ReadonlyArray<{ type: SorceryObjectType; id: string }>): Promise<void> {
    if (objects.length === 0) return;
    const session = await AmiSession.open(this.options);
    try {
      const login = await session.send({ Action: 'Login', Username: this.options.user, Secret: this.options.password });
      if (login.Response !== 'Success') throw new SorceryCacheExpiryError('AMI login refused', { message: login.Message });
      for (const object of objects) {
        const reply = await session.send({ Action: 'SorceryMemoryCacheExpireObject', Cache: SORCERY_CACHES[object.type], Object: object.id });
        // "could not be expired": it was not cached. Anything else (no such cache, no permission) is a fault.
        if (reply.Response !== 'Success' && !/could not be expired/i.test(reply.Message ?? '')) {
          throw new SorceryCacheExpiryError('AMI refused to expire a cached object', { type: object.type, id: object.id, message: reply.Message });
        }
      }
      await session.send({ Action: 'Logoff' }).catch(() => undefined); // the answer to Logoff does not matter: the socket closes next
    } finally {
      session.close();
    }
  }
}

type AmiMessage = Record<string, string>;

// One AMI connection: the banner line, then one action at a time, each answered by one message
// (header lines up to a blank line) with the same ActionID.
class AmiSession {
  private buffer = '';
  private bannerSeen = false;
  private readonly waiting: Array<{ resolve: (message: AmiMessage) => void; reject: (error: Error) => void }> = [];
  private nextId = 1;
  private failure?: Error;

  private constructor(
    private readonly socket: Socket,
    private readonly timeoutMs: number,
  ) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', (error) => this.fail(new SorceryCacheExpiryError('AMI connection failed', {}, error)));
    socket.on('close', () => this.fail(new SorceryCacheExpiryError('AMI connection closed', {})));
  }

  static open(options: AmiOptions): Promise<AmiSession> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: options.host, port: options.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new SorceryCacheExpiryError('AMI connection timed out', { host: options.host, port: options.port }));
      }, options.timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(new AmiSession(socket, options.timeoutMs));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new SorceryCacheExpiryError('AMI connection failed', { host: options.host, port: options.port }, error));
      });
    });
  }

  send(action: AmiMessage): Promise<AmiMessage> {
    if (this.failure) return Promise.reject(this.failure);
    const id = String(this.nextId++);
    const text = Object.entries({ ...action, ActionID: id })
      .map(([key, value]) => `${key}: ${value.replace(/[\r\n]/g, '')}\r\n`)
      .join('');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new SorceryCacheExpiryError('AMI action timed out', { action: action.Action })), this.timeoutMs);
      this.waiting.push({
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.socket.write(`${text}\r\n`);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    if (!this.bannerSeen) {
      const end = this.buffer.indexOf('\r\n');
      if (end < 0) return;
      this.bannerSeen = true;
      this.buffer = this.buffer.slice(end + 2);
    }
    for (let end = this.buffer.indexOf('\r\n\r\n'); end >= 0; end = this.buffer.indexOf('\r\n\r\n')) {
      const message = parseMessage(this.buffer.slice(0, end));
      this.buffer = this.buffer.slice(end + 4);
      // Only answers to actions are read; events (none are subscribed to) are skipped.
      if (message.Response !== undefined) this.waiting.shift()?.resolve(message);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
  }
}

export function parseMessage(text: string): AmiMessage {
  const message: AmiMessage = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) message[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return message;
}
