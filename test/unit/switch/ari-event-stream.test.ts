import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { expect } from 'chai';
import { AriEventStream } from '../../../app/switch/ari-event-stream';
import { capturingLogger } from '../../support/fakes/capturing-logger';

// A fake Asterisk HTTP server: the boundary ari-client talks to.
describe('ARI event stream', function () {
  let server: Server;
  let requests = 0;

  before(async function () {
    server = createServer((_req, res) => {
      requests += 1;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  after(function () {
    server.close();
  });

  it('given Asterisk answers 500 while it restarts, when the stream connects, then it does not crash the process and keeps retrying', async function () {
    const log = capturingLogger();
    const stream = new AriEventStream({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      user: 'u',
      password: 'p',
      app: 'calls',
      log,
      onEvent: () => undefined,
      onConnected: () => undefined,
    });
    void stream.start();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    stream.stop();
    expect(stream.connected).to.equal(false);
    expect(requests).to.be.greaterThan(1);
    expect(log.entries.filter((entry) => entry.message === 'ari connection lost, retrying').length).to.be.greaterThan(1);
  });

  it('given the websocket is reconnecting, when the ping timer fires, then nothing throws from the timer', async function () {
    const log = capturingLogger();
    const stream = new AriEventStream({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      user: 'u',
      password: 'p',
      app: 'calls',
      log,
      onEvent: () => undefined,
      onConnected: () => undefined,
      pingIntervalMs: 5,
    });
    // A client whose websocket closed under it: ws throws from ping().
    const closed = { ping: () => { throw new Error('WebSocket is not open: readyState 3 (CLOSED)'); }, on: () => undefined, start: () => Promise.resolve(), stop: () => undefined, removeAllListeners: () => undefined };
    Object.assign(stream as unknown as Record<string, unknown>, { client: closed, isConnected: true, lastPong: Date.now() });
    (stream as unknown as { startPinging(): void }).startPinging();
    await new Promise((resolve) => setTimeout(resolve, 50));
    stream.stop();
    expect(log.entries.some((entry) => entry.message === 'ari connection lost, retrying' && String(entry.fields.reason).startsWith('ping failed'))).to.equal(true);
  });

  it('given a connection that stops answering pings, then events count as arrived until the last pong only, and the reconnection reports that moment', async function () {
    const connections: [boolean, Date | undefined][] = [];
    const stream = new AriEventStream({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      user: 'u',
      password: 'p',
      app: 'calls',
      log: capturingLogger(),
      onEvent: () => undefined,
      onConnected: (reconnected, lostAt) => connections.push([reconnected, lostAt]),
      pingIntervalMs: 5,
    });
    const lastPong = Date.now() - 60_000;
    const silent = { ping: () => undefined, on: () => undefined, start: () => Promise.resolve(), stop: () => undefined, removeAllListeners: () => undefined };
    Object.assign(stream as unknown as Record<string, unknown>, { client: silent, isConnected: true, everConnected: true, lastPong });
    expect(stream.eventsSeenAt()?.getTime(), 'connected: now').to.be.closeTo(Date.now(), 1000);
    (stream as unknown as { startPinging(): void }).startPinging();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stream.connected).to.equal(false);
    expect(stream.eventsSeenAt()?.getTime()).to.equal(lastPong);
    (stream as unknown as { onOpen(): void }).onOpen();
    expect(connections).to.deep.equal([[true, new Date(lastPong)]]);
    expect(stream.eventsSeenAt()?.getTime(), 'connected again: now').to.be.closeTo(Date.now(), 1000);
    stream.stop();
    expect(stream.connected).to.equal(false);
  });
});
