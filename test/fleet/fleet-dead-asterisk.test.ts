import { expect } from 'chai';
import {
  answersThroughEdge,
  callsThroughEdge,
  createFleetUser,
  fleet,
  fleetApi,
  fleetAsync,
  fleetCallRecords,
  fleetDevice,
  fleetEnv,
  registerThroughEdge,
  until,
} from '../support/fleet';

interface CallView {
  id: string;
  state: string;
  node?: string;
}

const nodeApi = (node: string): string => `http://${fleetEnv.nodeIp(node)}:8080`;

// A node whose Asterisk dies while its controller lives: the edge's OPTIONS probes find it silent
// and stop sending it calls, its controller says it is not healthy and has its click-to-calls
// placed by a node that is up, and it closes its calls in the records at the moment of death.
describe("fleet: a node's Asterisk dies, its controller lives", function () {
  this.timeout(240_000);

  afterEach(function () {
    if (!fleet('status').output.includes('node-1 up')) fleet('restore-node', 'node-1');
  });

  it("given answered calls on both nodes, when node-1's Asterisk is killed, then the edge marks node-1 down, node-1's /healthz is 503, a click-to-call asked of node-1 is placed on node-2, and node-1's calls end in the records at the kill while node-2's go on", async function () {
    const [alice, bob, carol, dave] = await Promise.all([createFleetUser('alice'), createFleetUser('bob'), createFleetUser('carol'), createFleetUser('dave')]);
    const [aliceDevice, bobDevice, carolDevice, daveDevice] = [alice, bob, carol, dave].map((user) => fleetDevice(user));
    for (const device of [aliceDevice, bobDevice, carolDevice, daveDevice]) await registerThroughEdge(device!);
    // 6 calls hashed over two nodes: none on node-1 has a chance of 1 in 64.
    const calls = 6;
    const callee = await answersThroughEdge(bobDevice!, { kind: 'answer', ringMs: 100 }, calls, 200);
    const caller = callsThroughEdge(aliceDevice!, bob.username, { calls, rate: 6, holdMs: 150_000, audio: false, timeoutSeconds: 200 });
    const carolPhone = await answersThroughEdge(carolDevice!, { kind: 'answer', ringMs: 200 }, 1, 200);
    const davePhone = await answersThroughEdge(daveDevice!, { kind: 'answer', ringMs: 200 }, 1, 200);
    try {
      const answered = await until(
        async () => ((await fleetApi('GET', `/v1/calls?user=${alice.username}`)).body.calls as CallView[]).filter((call) => call.state === 'answered'),
        (list) => list.length === calls,
        40_000,
        'every call answered',
      );
      const onNode1 = answered.filter((call) => call.node === 'node-1').map((call) => call.id);
      const onNode2 = answered.filter((call) => call.node === 'node-2').map((call) => call.id);
      expect(onNode1.length, JSON.stringify(answered.map((call) => call.node))).to.be.greaterThan(0);

      const killedAt = Date.now();
      expect(fleet('kill-asterisk', 'node-1').code).to.equal(0);
      const inactive = await until(async () => (await fleetAsync('edge')).output, (output) => output.includes('node-1 inactive'), 30_000, 'the edge marks node-1 down');
      console.log(`      the edge stopped sending to node-1 ${Date.now() - killedAt} ms after its Asterisk died`);
      expect(inactive).to.include('node-2 active');
      const health = await fleetApi('GET', '/healthz', undefined, nodeApi('node-1'));
      expect(health.status, JSON.stringify(health.body)).to.equal(503);
      expect(JSON.stringify(health.body.checks)).to.include('"ari":{"ok":false');

      // Asked of node-1's own admin API: its switch cannot ring carol, node-2's can.
      const started = await until(
        () => fleetApi('POST', '/v1/calls', { from: carol.username, to: dave.username }, nodeApi('node-1')),
        (res) => res.status !== 201 || res.body.node === 'node-2',
        5_000,
        'click-to-call placed on node-2',
      );
      expect([started.status, started.body.node], JSON.stringify(started.body)).to.deep.equal([201, 'node-2']);
      await until(async () => ((await fleetApi('GET', `/v1/calls/${String(started.body.id)}`)).body as unknown as CallView).state, (state) => state === 'answered', 30_000, 'click-to-call answered');
      expect((await fleetApi('DELETE', `/v1/calls/${String(started.body.id)}`)).status).to.equal(202);

      const left = await until(
        async () => ((await fleetApi('GET', `/v1/calls?user=${alice.username}`)).body.calls as CallView[]).map((call) => call.id),
        (ids) => onNode1.every((id) => !ids.includes(id)),
        75_000,
        "node-1's calls closed",
      );
      console.log(`      node-1's ${onNode1.length} calls closed ${Date.now() - killedAt} ms after its Asterisk died`);
      expect([...left].sort(), "node-2's calls go on").to.deep.equal([...onNode2].sort());
      const records = await until(() => fleetCallRecords(alice.id), (rows) => onNode1.every((id) => rows.some((row) => row.call_id === id)), 30_000, "records of node-1's calls");
      for (const row of records.filter((record) => onNode1.includes(record.call_id))) {
        expect(row.end_reason, JSON.stringify(row)).to.equal('ended_while_disconnected');
        expect(row.ended_at.getTime(), JSON.stringify(row)).to.be.within(killedAt - 3000, killedAt + 1500);
      }

      expect(fleet('restore-node', 'node-1').code).to.equal(0);
      expect(fleet('edge').output).to.include('node-1 active');
      for (const id of onNode2) expect((await fleetApi('DELETE', `/v1/calls/${id}`)).status).to.equal(202);
    } finally {
      for (const run of [caller, callee, carolPhone, davePhone]) run.kill();
      await Promise.allSettled([caller.done, callee.done, carolPhone.done, davePhone.done]);
    }
  });
});
