import { expect } from 'chai';
import { FleetCallPlacement, NodeRefusedError, NoSwitchNodeError, PlacementFailedError, type PlacementBus, type StartCall } from '../../../app/fleet';
import { type CallCommandReply } from '../../../app/shared/events';
import { silentLogger } from '../../../app/shared/infra/logger';

const command: StartCall = { kind: 'start_call', fromUserId: '6f1c2b9e-1d2a-4c3b-8e4f-5a6b7c8d9e0f', to: 'bob' };

// A bus that answers with the given replies in turn, and counts the requests.
function busAnswering(...replies: (CallCommandReply & { node?: string })[]): PlacementBus & { requests: number } {
  const bus = {
    requests: 0,
    request: (): Promise<CallCommandReply & { node?: string }> => {
      const reply = replies[Math.min(bus.requests, replies.length - 1)];
      bus.requests += 1;
      if (!reply) throw new Error('no reply scripted');
      return Promise.resolve(reply);
    },
  };
  return bus;
}

const placing = (bus: PlacementBus, options: { placesCalls: boolean; switchUp: boolean }): FleetCallPlacement =>
  new FleetCallPlacement(bus, { placesCalls: options.placesCalls, switchUp: () => options.switchUp, attempts: 3, retryDelayMs: 1, log: silentLogger });

describe('fleet: where a click-to-call is placed', function () {
  it('given a node whose switch is up, then it places the call itself and asks no other node', async function () {
    const bus = busAnswering({ outcome: 'done', callId: 'elsewhere' });
    expect(await placing(bus, { placesCalls: true, switchUp: true }).place(command, () => Promise.resolve('here'))).to.equal('here');
    expect(bus.requests).to.equal(0);
  });

  it('given the admin instance (no switch of its own), or a node whose switch is down, then a node that is up places it and its call id is returned', async function () {
    for (const self of [{ placesCalls: false, switchUp: true }, { placesCalls: true, switchUp: false }]) {
      const bus = busAnswering({ outcome: 'done', callId: 'c-1', node: 'node-2' });
      let local = 0;
      const placed = await placing(bus, self).place(command, () => Promise.resolve(`local-${++local}`));
      expect([placed, local, bus.requests], JSON.stringify(self)).to.deep.equal(['c-1', 0, 1]);
    }
  });

  it('given no node in the group at first, or an unwell one, then the request is sent again until one places it', async function () {
    const bus = busAnswering({ outcome: 'unreachable', message: 'no switch node is up' }, { outcome: 'unwell', message: 'switch down', node: 'node-1' }, { outcome: 'done', callId: 'c-2', node: 'node-2' });
    expect(await placing(bus, { placesCalls: false, switchUp: false }).place(command, () => Promise.reject(new Error('not here')))).to.equal('c-2');
    expect(bus.requests).to.equal(3);
  });

  it('given no node up at all, then NoSwitchNodeError (503) after the attempts', async function () {
    const bus = busAnswering({ outcome: 'unreachable', message: 'no switch node is up' });
    const error = await placing(bus, { placesCalls: false, switchUp: false }).place(command, () => Promise.reject(new Error('not here'))).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(NoSwitchNodeError).and.to.include({ code: 'CALL.NO_NODE_AVAILABLE', kind: 'unavailable' });
    expect(bus.requests).to.equal(3);
  });

  it("given the node refused the request (the caller has no device), then the node's own code and kind are raised, and it is not sent again", async function () {
    const bus = busAnswering({ outcome: 'refused', code: 'CALL.CALLER_UNREACHABLE', message: 'the user has no device that can be rung', kind: 'unreachable', node: 'node-1' });
    const error = await placing(bus, { placesCalls: false, switchUp: false }).place(command, () => Promise.reject(new Error('not here'))).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(NodeRefusedError).and.to.include({ code: 'CALL.CALLER_UNREACHABLE', kind: 'unreachable' });
    expect(bus.requests).to.equal(1);
  });

  it('given a node that took the request and failed or did not answer in time, then it is not placed again elsewhere (it may ring already)', async function () {
    const bus = busAnswering({ outcome: 'failed', message: 'TIMEOUT' });
    const error = await placing(bus, { placesCalls: false, switchUp: false }).place(command, () => Promise.reject(new Error('not here'))).catch((caught: unknown) => caught);
    expect(error).to.be.instanceOf(PlacementFailedError);
    expect(bus.requests).to.equal(1);
  });
});
