import { createSocket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { EdgeRpcError, EdgeUnreachableError } from './errors';
import { type EdgeRpc } from './ports';

export interface UdpJsonRpcOptions {
  host: string;
  port: number;
  timeoutMs: number;
}

let nextId = 1;

// JSON-RPC 2.0 over UDP datagrams (Kamailio's jsonrpcs module, dgram transport): one request per
// datagram, its answer in one datagram back to the sender. A socket of its own per call, so that
// no answer can be taken for another call's. An answer must fit one datagram (~64 KB): enough for
// thousands of bans; a larger table is listed partially by the edge, never wrongly.
export class UdpJsonRpc implements EdgeRpc {
  constructor(private readonly options: UdpJsonRpcOptions) {}

  private get target(): string {
    return `udp://${isIPv6(this.options.host) ? `[${this.options.host}]` : this.options.host}:${this.options.port}`;
  }

  call(method: string, params: Array<string | number>): Promise<unknown> {
    const id = nextId++;
    const socket = createSocket(isIPv6(this.options.host) ? 'udp6' : 'udp4');
    return new Promise<unknown>((resolve, reject) => {
      const done = (error: Error | undefined, result?: unknown): void => {
        clearTimeout(timer);
        socket.close();
        if (error) reject(error);
        else resolve(result);
      };
      const timer = setTimeout(() => done(new EdgeUnreachableError(this.target, new Error(`no answer to ${method} within ${this.options.timeoutMs} ms`))), this.options.timeoutMs);
      socket.on('error', (error) => done(new EdgeUnreachableError(this.target, error)));
      socket.on('message', (message) => {
        let answer: { id?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown } };
        try {
          answer = JSON.parse(message.toString('utf8')) as typeof answer;
        } catch (error) {
          done(new EdgeUnreachableError(this.target, error));
          return;
        }
        if (answer.id !== id) return;
        if (answer.error) done(new EdgeRpcError(method, Number(answer.error.code ?? 0), typeof answer.error.message === 'string' ? answer.error.message : 'error'));
        else done(undefined, answer.result);
      });
      socket.send(JSON.stringify({ jsonrpc: '2.0', method, params, id }), this.options.port, this.options.host, (error) => {
        if (error) done(new EdgeUnreachableError(this.target, error));
      });
    });
  }
}

// EDGE_RPC_URL "udp://host:port" -> its parts (the config has checked the form).
export function udpTargetOf(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(parsed.port) };
}
