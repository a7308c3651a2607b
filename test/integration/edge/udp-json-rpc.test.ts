import { createSocket, type Socket } from 'node:dgram';
import { expect } from 'chai';
import { EdgeRpcError, EdgeUnreachableError } from '../../../app/edge';
import { UdpJsonRpc } from '../../../app/edge/udp-json-rpc';

// The edge's JSON-RPC transport against a UDP peer that answers as Kamailio's jsonrpcs does (one
// datagram back to the sender), or answers wrongly, or not at all.
describe('integration: JSON-RPC over UDP to the edge', function () {
  let peer: Socket;
  let port: number;
  let behaviour: (request: { id: number; method: string; params: unknown[] }) => string | undefined;

  before(async function () {
    peer = createSocket('udp4');
    peer.on('message', (message, from) => {
      const answer = behaviour(JSON.parse(message.toString()) as { id: number; method: string; params: unknown[] });
      if (answer !== undefined) peer.send(answer, from.port, from.address);
    });
    await new Promise<void>((resolve) => peer.bind(0, '127.0.0.1', () => resolve()));
    port = (peer.address()).port;
  });
  after(function () {
    peer.close();
  });

  const rpc = (): UdpJsonRpc => new UdpJsonRpc({ host: '127.0.0.1', port, timeoutMs: 500 });

  it('given an answer with a result, then the result comes back, and the request named the method and its parameters', async function () {
    let seen: unknown;
    behaviour = (request) => {
      seen = request;
      return JSON.stringify({ jsonrpc: '2.0', result: [{ entry: 1, slot: [] }], id: request.id });
    };
    expect(await rpc().call('htable.dump', ['guard_bans'])).to.deep.equal([{ entry: 1, slot: [] }]);
    expect(seen).to.include({ jsonrpc: '2.0', method: 'htable.dump' }).and.to.have.deep.property('params', ['guard_bans']);
  });

  it('given a JSON-RPC error, then EdgeRpcError with its code (404: no such key)', async function () {
    behaviour = (request) => JSON.stringify({ jsonrpc: '2.0', error: { code: 404, message: 'Key not found in htable.' }, id: request.id });
    const error = await rpc().call('htable.delete', ['guard_bans', '203.0.113.7']).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(EdgeRpcError);
    expect((error as EdgeRpcError).rpcCode).to.equal(404);
  });

  it('given a stale answer to another request, then it is ignored and the call waits for its own', async function () {
    behaviour = (request) => JSON.stringify({ jsonrpc: '2.0', result: 'stale', id: request.id + 1000 });
    const error = await rpc().call('core.uptime', []).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(EdgeUnreachableError);
  });

  it('given no answer, or one that is not JSON, then EdgeUnreachableError (503), within the timeout', async function () {
    behaviour = () => undefined;
    const started = Date.now();
    expect(await rpc().call('core.uptime', []).catch((e: unknown) => e)).to.be.instanceOf(EdgeUnreachableError);
    expect(Date.now() - started).to.be.within(450, 1500);
    behaviour = () => 'not json';
    expect(await rpc().call('core.uptime', []).catch((e: unknown) => e)).to.be.instanceOf(EdgeUnreachableError);
  });
});
