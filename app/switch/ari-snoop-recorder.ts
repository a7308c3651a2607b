import http from 'node:http';
import https from 'node:https';
import { type ContentTap, type StoredMedia, type Tap, tapOf } from '../intercept';
import { AriRequestError, AriRest, AriTimeoutError, AriUnreachableError } from './ari-rest';

export interface AriSnoopRecorderOptions {
  url: string;
  user: string;
  password: string;
  app: string;
  maxSockets: number;
  requestTimeoutMs: number;
}

// A snoop channel enters the application a moment after ARI answered its creation; recording it
// before then is refused with 404/409. Retried briefly.
const RECORD_ATTEMPTS = 25;
const RECORD_RETRY_MS = 20;
// Recordings are fetched whole; a long call is a few MB per direction (8 kHz, 16 bit).
const FETCH_TIMEOUT_MS = 60_000;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const isGone = (error: unknown): boolean => error instanceof AriRequestError && (error.status === 404 || error.status === 409);
const enc = encodeURIComponent;

// Lawful-intercept taps through ARI: two snoop channels on the target's channel, one per
// direction (spy=in: what the party sends, spy=out: what it hears), each recorded to its own WAV.
// Snoops only listen (whisper=none): nothing is added to the call's media or signalling. Snoop
// channels enter the application with arguments "snoop,<recording id>,<direction>", which the
// call state manager leaves alone. Files are fetched back over ARI: no shared filesystem.
export class AriSnoopRecorder implements ContentTap {
  constructor(
    private readonly rest: AriRest,
    private readonly options: AriSnoopRecorderOptions,
  ) {}

  async start(channelId: string, tapId: string): Promise<Tap> {
    const tap = tapOf(tapId);
    const opened: string[] = [];
    try {
      for (const [spy, snoopId, name] of [
        ['in', tap.inChannelId, tap.nameIn],
        ['out', tap.outChannelId, tap.nameOut],
      ] as const) {
        await this.rest.post(`/channels/${enc(channelId)}/snoop`, { spy, whisper: 'none', app: this.options.app, appArgs: `snoop,${tapId},${spy}`, snoopId });
        opened.push(snoopId);
        await this.record(snoopId, name);
      }
      return tap;
    } catch (error) {
      await Promise.allSettled(opened.map((id) => this.rest.delete(`/channels/${enc(id)}`)));
      throw error;
    }
  }

  private async record(snoopId: string, name: string): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.rest.post(`/channels/${enc(snoopId)}/record`, { name, format: 'wav', ifExists: 'fail', beep: false, terminateOn: 'none', maxDurationSeconds: 0, maxSilenceSeconds: 0 });
        return;
      } catch (error) {
        if (!isGone(error) || attempt >= RECORD_ATTEMPTS) throw error;
        await sleep(RECORD_RETRY_MS);
      }
    }
  }

  async stop(tap: Tap): Promise<void> {
    for (const name of [tap.nameIn, tap.nameOut]) await ignoreGone(this.rest.post(`/recordings/live/${enc(name)}/stop`));
    for (const id of [tap.inChannelId, tap.outChannelId]) await ignoreGone(this.rest.delete(`/channels/${enc(id)}`));
  }

  async fetch(name: string): Promise<StoredMedia> {
    const file = await this.getBinary(`/recordings/stored/${enc(name)}/file`);
    if (file) return { state: 'stored', wav: file };
    try {
      await this.rest.get(`/recordings/live/${enc(name)}`);
      return { state: 'live' };
    } catch (error) {
      if (isGone(error)) return { state: 'gone' };
      throw error;
    }
  }

  async isLive(name: string): Promise<boolean> {
    try {
      await this.rest.get(`/recordings/live/${enc(name)}`);
      return true;
    } catch (error) {
      if (isGone(error)) return false;
      throw error;
    }
  }

  async discard(name: string): Promise<void> {
    await ignoreGone(this.rest.delete(`/recordings/stored/${enc(name)}`));
  }

  // AriRest speaks JSON; a recording's file is binary. undefined: no such stored recording.
  private getBinary(path: string): Promise<Buffer | undefined> {
    const url = new URL(`/ari${path}`, this.options.url);
    const transport = url.protocol === 'https:' ? https : http;
    const authorization = `Basic ${Buffer.from(`${this.options.user}:${this.options.password}`).toString('base64')}`;
    return new Promise((resolve, reject) => {
      const req = transport.get(url, { headers: { authorization } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', (error) => reject(new AriUnreachableError('GET', path, error)));
        res.on('end', () => {
          clearTimeout(timer);
          const status = res.statusCode ?? 0;
          if (status === 404) resolve(undefined);
          else if (status < 200 || status >= 300) reject(new AriRequestError('GET', path, status, Buffer.concat(chunks).toString('utf8')));
          else resolve(Buffer.concat(chunks));
        });
      });
      const timer = setTimeout(() => {
        req.destroy();
        reject(new AriTimeoutError('GET', path, FETCH_TIMEOUT_MS));
      }, FETCH_TIMEOUT_MS);
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(new AriUnreachableError('GET', path, error));
      });
    });
  }
}

export function createAriSnoopRecorder(options: AriSnoopRecorderOptions): { tap: AriSnoopRecorder; close(): void } {
  const rest = new AriRest({ url: options.url, user: options.user, password: options.password, maxSockets: options.maxSockets, timeoutMs: options.requestTimeoutMs });
  return { tap: new AriSnoopRecorder(rest, options), close: () => rest.close() };
}

async function ignoreGone(request: Promise<unknown>): Promise<void> {
  try {
    await request;
  } catch (error) {
    if (!isGone(error)) throw error;
  }
}
