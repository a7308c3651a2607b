import { expect } from 'chai';
import { answersThroughEdge, callsThroughEdge, createFleetUser, fleetApi, fleetDevice, registerThroughEdge } from '../support/fleet';

interface LiveCallView {
  id: string;
  state: string;
  live: boolean;
  node?: string;
  endCause?: string;
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

// Operator actions on the core's admin API (an instance that drives no call and reaches only
// node-1's ARI) reach the node where the call lives.
describe('fleet: operator actions on the call\'s node', function () {
  this.timeout(180_000);

  it('given answered calls spread over both nodes, when an operator hangs up through the core\'s admin API a call that lives on node-2, then that call ends and the others go on', async function () {
    const [alice, bob] = await Promise.all([createFleetUser('alice'), createFleetUser('bob')]);
    const aliceDevice = fleetDevice(alice);
    const bobDevice = fleetDevice(bob);
    await registerThroughEdge(aliceDevice);
    await registerThroughEdge(bobDevice);
    // 8 calls hashed over two nodes: all on node-1 has a chance of 1 in 256.
    const calls = 8;
    const callee = await answersThroughEdge(bobDevice, { kind: 'answer', ringMs: 100 }, calls);
    const caller = callsThroughEdge(aliceDevice, bob.username, { calls, rate: 4, holdMs: 60_000, audio: false });
    try {
      const answered = await eventually(
        async () => ((await fleetApi('GET', `/v1/calls?user=${alice.username}`)).body.calls as LiveCallView[]).filter((call) => call.state === 'answered'),
        (list) => list.length === calls,
        40_000,
      );
      expect(answered, 'answered calls').to.have.length(calls);
      const onNode2 = answered.filter((call) => call.node === 'node-2');
      expect(onNode2.length, JSON.stringify(answered.map((call) => call.node))).to.be.greaterThan(0);
      const target = onNode2[0] as LiveCallView;

      const hangUp = await fleetApi('DELETE', `/v1/calls/${target.id}`);
      expect(hangUp.status, JSON.stringify(hangUp.body)).to.equal(202);
      // Ended: gone from the live calls, then found in the call records once they are written.
      const ended = await eventually(async () => (await fleetApi('GET', `/v1/calls/${target.id}`)).body as unknown as LiveCallView, (call) => call.live === false, 30_000);
      expect(ended.live, JSON.stringify(ended)).to.equal(false);
      const stillLive = ((await fleetApi('GET', `/v1/calls?user=${alice.username}`)).body.calls as LiveCallView[]).map((call) => call.id);
      expect(stillLive).to.have.length(calls - 1);
      expect(stillLive).not.to.include(target.id);

      // The rest, wherever they live (node-1's through the same path), are ended the same way.
      for (const id of stillLive) expect((await fleetApi('DELETE', `/v1/calls/${id}`)).status).to.equal(202);
      const left = await eventually(async () => (await fleetApi('GET', `/v1/calls?user=${alice.username}`)).body.calls as LiveCallView[], (list) => list.length === 0, 15_000);
      expect(left.map((call) => `${call.id}@${call.node ?? '?'}`)).to.deep.equal([]);
    } finally {
      caller.kill();
      callee.kill();
      await Promise.allSettled([caller.done, callee.done]);
    }
  });

  it('when an operator hangs up a call nobody has, then 404 CALL.NOT_FOUND', async function () {
    const res = await fleetApi('DELETE', '/v1/calls/00000000-0000-4000-8000-000000000000');
    expect([res.status, res.body.code]).to.deep.equal([404, 'CALL.NOT_FOUND']);
  });
});
