import { type AddressInfo } from 'node:net';
import { expect } from 'chai';
import { AriWebSocket } from '../../../app/switch/ari-websocket';

// ws ships no types: the server side used by this test only.
interface WsServer {
  on(event: 'connection', listener: (socket: { send(data: string): void; close(): void }, req: { url?: string; headers: Record<string, string | undefined> }) => void): void;
  address(): AddressInfo;
  close(): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Server } = require('ws') as { Server: new (options: { port: number; host: string }, ready: () => void) => WsServer };

// A fake ARI events endpoint: the boundary the raw events websocket talks to.
describe('ARI events websocket', function () {
  let server: WsServer;
  let seen: { url?: string; authorization?: string } = {};

  beforeEach(async function () {
    await new Promise<void>((resolve) => {
      server = new Server({ port: 0, host: '127.0.0.1' }, resolve);
    });
    server.on('connection', (socket, req) => {
      seen = { url: req.url, authorization: req.headers.authorization };
      socket.send('not json');
      socket.send(JSON.stringify({ type: 'StasisStart', channel: { id: 'c-1', name: 'PJSIP/alice-1' }, args: ['from-user'] }));
      setTimeout(() => socket.close(), 20);
    });
  });

  afterEach(function () {
    server.close();
  });

  it('given the events endpoint, when it sends events and closes, then each JSON event arrives as plain data, the rest is reported unreadable, and the close is reported', async function () {
    const client = new AriWebSocket(`http://127.0.0.1:${server.address().port}`, 'calls', 'secret');
    const events: unknown[] = [];
    let unreadable = 0;
    const closed = new Promise<number>((resolve) => client.on('closed', resolve));
    client.on('*', (event: unknown) => events.push(event));
    client.on('unreadable', () => (unreadable += 1));
    await client.start('calls');
    await closed;
    client.stop();
    expect(seen.url).to.equal('/ari/events?app=calls');
    expect(seen.authorization).to.equal(`Basic ${Buffer.from('calls:secret').toString('base64')}`);
    expect(events).to.deep.equal([{ type: 'StasisStart', channel: { id: 'c-1', name: 'PJSIP/alice-1' }, args: ['from-user'] }]);
    expect(unreadable).to.equal(1);
  });

  it('given nothing listens, when it starts, then start rejects with an AriWebSocketError', async function () {
    const port = server.address().port;
    server.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const client = new AriWebSocket(`http://127.0.0.1:${port}`, 'calls', 'secret');
    const error = await client.start('calls').then(() => undefined, (e: unknown) => e);
    client.stop();
    expect(error).to.be.instanceOf(Error).and.have.property('name', 'AriWebSocketError');
  });
});
