import { expect } from 'chai';
import {
  callsThroughEdge,
  carrierAnswersOnHost,
  createFleetUser,
  fleet,
  fleetApi,
  fleetCallRecords,
  fleetCarrier,
  fleetDevice,
  fleetPayingUser,
  fleetQuery,
  registerThroughEdge,
  sleep,
  until,
} from '../support/fleet';

// A reservation stays open (credit held) until its call's end is settled.
const OPEN_RESERVATIONS = "SELECT call_id::text FROM reservations WHERE call_id = ANY($1::uuid[]) AND status = 'open'";

interface LiveCallView {
  id: string;
  state: string;
  node?: string;
}

// A node that never comes back: nobody adopts its calls (the other node cannot see its channels),
// so a running instance closes them in the records at its last heartbeat, past the bound (30 s).
describe('fleet: calls of a node that never returns', function () {
  this.timeout(240_000);
  const carrierPort = 5072;

  afterEach(function () {
    if (!fleet('status').output.includes('node-2 up')) fleet('restore-node', 'node-2');
  });

  it('given paid calls on both nodes, when node-2 is killed and not restored, then its calls end in the records at the moment of death and their reservations are released, while node-1\'s go on', async function () {
    const payer = await createFleetUser('payer');
    await fleetPayingUser(payer.id);
    await fleetCarrier(`fleet-dead-${Date.now().toString(36)}`, carrierPort);
    await sleep(2500);
    const payerDevice = fleetDevice(payer);
    await registerThroughEdge(payerDevice);
    const calls = 8;
    const carrier = await carrierAnswersOnHost(carrierPort, { kind: 'answer', ringMs: 100 }, calls);
    const caller = callsThroughEdge(payerDevice, '+442071838751', { calls, rate: 4, holdMs: 120_000, audio: false });
    try {
      const answered = await until(
        async () => ((await fleetApi('GET', `/v1/calls?user=${payer.username}`)).body.calls as LiveCallView[]).filter((call) => call.state === 'answered'),
        (list) => list.length === calls,
        40_000,
        'every call answered',
      );
      const onNode2 = answered.filter((call) => call.node === 'node-2').map((call) => call.id);
      const onNode1 = answered.filter((call) => call.node === 'node-1').map((call) => call.id);
      expect(onNode2.length, JSON.stringify(answered.map((call) => call.node))).to.be.greaterThan(0);
      const reserved = await fleetQuery<{ call_id: string }>(OPEN_RESERVATIONS, [onNode2]);
      expect(reserved.map((row) => row.call_id).sort(), 'reservations while live').to.deep.equal([...onNode2].sort());

      const killedAt = Date.now();
      expect(fleet('kill-node', 'node-2').code).to.equal(0);
      const closedAfter = await until(
        async () => ((await fleetApi('GET', `/v1/calls?user=${payer.username}`)).body.calls as LiveCallView[]).map((call) => call.id),
        (ids) => onNode2.every((id) => !ids.includes(id)),
        75_000,
        'node-2\'s calls closed',
      ).then((ids) => ({ ids, ms: Date.now() - killedAt }));
      console.log(`      node-2's ${onNode2.length} calls closed ${closedAfter.ms} ms after the kill`);
      expect(closedAfter.ms, 'left for a restarted node first').to.be.at.least(25_000);
      expect([...closedAfter.ids].sort(), 'node-1\'s calls go on').to.deep.equal([...onNode1].sort());

      const records = await until(() => fleetCallRecords(payer.id), (rows) => onNode2.every((id) => rows.some((row) => row.call_id === id)), 30_000, 'records of node-2\'s calls');
      for (const row of records.filter((record) => onNode2.includes(record.call_id))) {
        expect(row.end_reason, JSON.stringify(row)).to.equal('ended_while_disconnected');
        expect(row.ended_at.getTime(), JSON.stringify(row)).to.be.within(killedAt - 3000, killedAt + 1000);
      }
      const left = await until(() => fleetQuery<{ call_id: string }>(OPEN_RESERVATIONS, [onNode2]), (rows) => rows.length === 0, 30_000, 'reservations released');
      expect(left).to.deep.equal([]);

      for (const id of onNode1) expect((await fleetApi('DELETE', `/v1/calls/${id}`)).status).to.equal(202);
    } finally {
      caller.kill();
      carrier.kill();
      await Promise.allSettled([caller.done, carrier.done]);
    }
  });
});
