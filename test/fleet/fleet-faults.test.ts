import { expect } from 'chai';
import {
  answersThroughEdge,
  callsThroughEdge,
  createFleetUser,
  fleet,
  carrierAnswersOnHost,
  fleetApi,
  fleetCarrier,
  fleetPayingUser,
  fleetQuery,
  fleetAsync,
  fleetCallRecords,
  fleetDevice,
  inviteFinalCodes,
  registerThroughEdge,
  sleep,
  until,
  type FleetDevice,
  type FleetUser,
} from '../support/fleet';

// Faults under load on the shared fleet (two nodes): callers place 20 s calls through the edge at
// a steady rate while a node, a controller or a NATS server is killed with SIGKILL.
describe('fleet: faults under load', function () {
  this.timeout(240_000);
  let alice: FleetUser;
  let bob: FleetUser;
  let aliceDevice: FleetDevice;
  let bobDevice: FleetDevice;

  before(async function () {
    [alice, bob] = await Promise.all([createFleetUser('alice'), createFleetUser('bob')]);
    aliceDevice = fleetDevice(alice);
    bobDevice = fleetDevice(bob);
    await registerThroughEdge(aliceDevice);
    await registerThroughEdge(bobDevice);
  });

  afterEach(function () {
    // Whatever a failed test left down comes back for the next one.
    for (const node of ['node-1', 'node-2']) if (!fleet('status').output.includes(`${node} up`)) fleet('restore-node', node);
  });

  it('given 20 s calls on both nodes, when node-1 is killed, then every new call succeeds on node-2, its live calls end in the records, and restore-node brings it back within 10 s', async function () {
    const liveLoad = await answersThroughEdge(bobDevice, { kind: 'answer', ringMs: 50 }, 40, 200);
    const before = callsThroughEdge(aliceDevice, bob.username, { calls: 8, rate: 2, holdMs: 20_000 });
    await sleep(5000);

    const killedAt = Date.now();
    const killed = fleet('kill-node', 'node-1');
    expect(killed.code, killed.output).to.equal(0);
    expect(fleet('kill-node', 'node-1').code, 'killing a dead node kills nothing').to.not.equal(0);
    expect(fleet('status').output).to.include('node-1 down');

    const stoppedTrying = until(async () => (await fleetAsync('edge')).output, (out) => out.includes('node-1 inactive'), 15_000, 'edge marks node-1 down').then(() => Date.now() - killedAt);
    const after = await callsThroughEdge({ ...aliceDevice, sipPort: aliceDevice.sipPort + 2, mediaPort: aliceDevice.mediaPort + 80 }, bob.username, { calls: 12, rate: 2, holdMs: 2000 }).done;
    console.log(`      edge stopped trying the dead node ${await stoppedTrying} ms after the kill`);
    const codes = inviteFinalCodes(after);
    expect(codes, after.errors).to.have.length(12);
    expect(codes.filter((code) => code !== 200), 'new calls that failed after the kill').to.deep.equal([]);

    const restoreStarted = Date.now();
    const restored = fleet('restore-node', 'node-1');
    const restoreMs = Date.now() - restoreStarted;
    expect(restored.code, restored.output).to.equal(0);
    console.log(`      restore-node: node-1 back in rotation in ${restoreMs} ms`);
    expect(restoreMs).to.be.at.most(10_000);
    expect(fleet('edge').output).to.include('node-1 active');

    // node-1's calls: its restarted controller finds none of their channels and ends them at the
    // last moment they were known alive, close to the kill (not when it found out).
    const records = await until(() => fleetCallRecords(alice.id), (rows) => rows.length >= 8 + 12, 60_000, 'every call recorded');
    const ofBefore = records.slice(0, 8);
    const endedByKill = ofBefore.filter((row) => row.ended_at.getTime() < killedAt + 10_000);
    expect(endedByKill.length, JSON.stringify(ofBefore)).to.be.greaterThan(0);
    for (const row of endedByKill) expect(row.ended_at.getTime(), JSON.stringify(row)).to.be.within(killedAt - 3000, killedAt + 3000);
    const live = await fleetApi('GET', `/v1/calls?user=${alice.username}`);
    expect(live.status).to.equal(200);
    (before.process.kill('SIGKILL'), liveLoad.process.kill('SIGKILL'));
  });

  it('given 30 s calls on both nodes, when node-1\'s controller is killed, then new calls go to node-2 (0 failed), the live calls\' media goes on, and the restarted controller adopts and ends them', async function () {
    const liveLoad = await answersThroughEdge(bobDevice, { kind: 'answer', ringMs: 50 }, 40, 200);
    const before = callsThroughEdge({ ...aliceDevice, sipPort: aliceDevice.sipPort + 4, mediaPort: aliceDevice.mediaPort + 120 }, bob.username, { calls: 8, rate: 2, holdMs: 30_000 });
    const recordsBefore = (await fleetCallRecords(alice.id)).length;
    await sleep(5000);
    const killed = fleet('kill-controller', 'node-1');
    expect(killed.code, killed.output).to.equal(0);

    const after = await callsThroughEdge({ ...aliceDevice, sipPort: aliceDevice.sipPort + 6, mediaPort: aliceDevice.mediaPort + 160 }, bob.username, { calls: 12, rate: 4, holdMs: 1000 }).done;
    const codes = inviteFinalCodes(after);
    expect(codes, after.errors).to.have.length(12);
    expect(codes.filter((code) => code !== 200), 'new calls that failed while node-1 had no controller').to.deep.equal([]);

    const restored = fleet('restore-controller', 'node-1');
    expect(restored.code, restored.output).to.equal(0);
    // The 30 s calls all ran their course: answered, their BYE answered (the caller's scenario
    // succeeded), the ones on node-1 ended by the restarted controller, which adopted them alive.
    const beforeResult = await before.done;
    expect(inviteFinalCodes(beforeResult).filter((code) => code === 200), beforeResult.errors).to.have.length(8);
    expect(beforeResult.exitCode, beforeResult.errors).to.equal(0);
    const records = await until(() => fleetCallRecords(alice.id), (rows) => rows.length >= recordsBefore + 20, 60_000, 'every call recorded');
    const longCalls = records.slice(recordsBefore, recordsBefore + 8);
    expect(longCalls.map((row) => [row.end_cause, row.end_reason]), 'the 30 s calls').to.deep.equal(Array(8).fill(['completed', null]));
    for (const row of longCalls) expect(row.ended_at.getTime() - (row.answered_at?.getTime() ?? 0), 'talk time').to.be.within(29_000, 32_000);
    liveLoad.process.kill('SIGKILL');
  });

  it('given paid calls to the phone network, when one NATS server is killed mid-load, then every call has exactly one record, one invoice line and one charge', async function () {
    const payer = await createFleetUser('payer');
    await fleetPayingUser(payer.id);
    const carrierPort = 5072;
    await fleetCarrier(`nats-fault-${Date.now().toString(36)}`, carrierPort);
    await sleep(2500);
    const payerDevice = fleetDevice(payer);
    await registerThroughEdge(payerDevice);
    const carrier = await carrierAnswersOnHost(carrierPort, { kind: 'answer', ringMs: 50 }, 12);
    const calls = callsThroughEdge(payerDevice, '+442071838750', { calls: 12, rate: 2, holdMs: 3000 });
    await sleep(3000);
    const killed = fleet('kill-nats', '2');
    expect(killed.code, killed.output).to.equal(0);
    const result = await calls.done;
    carrier.process.kill('SIGKILL');
    expect(inviteFinalCodes(result).filter((code) => code === 200), result.errors).to.have.length(12);
    const restored = fleet('restore-nats', '2');
    expect(restored.code, restored.output).to.equal(0);

    const records = await until(() => fleetCallRecords(payer.id), (rows) => rows.length >= 12, 60_000, 'every call recorded');
    expect(records).to.have.length(12);
    const callIds = records.map((row) => row.call_id);
    const lines = await until(
      () => fleetQuery<{ call_id: string; n: number }>('SELECT call_id, count(*)::int AS n FROM invoice_lines WHERE call_id = ANY($1::uuid[]) GROUP BY call_id', [callIds]),
      (rows) => rows.length >= 12,
      60_000,
      'an invoice line per call',
    );
    expect(lines.filter((row) => row.n !== 1), 'calls invoiced twice').to.deep.equal([]);
    const charges = await fleetQuery<{ call_id: string; n: number }>(
      "SELECT call_id, count(*)::int AS n FROM ledger_entries WHERE call_id = ANY($1::uuid[]) AND kind = 'charge' GROUP BY call_id",
      [callIds],
    );
    expect(charges, 'one charge per call').to.have.length(12);
    expect(charges.filter((row) => row.n !== 1), 'calls charged twice').to.deep.equal([]);
  });
});
