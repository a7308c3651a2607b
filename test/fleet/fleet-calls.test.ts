import { expect } from 'chai';
import {
  answersThroughEdge,
  callsRequestedOn,
  callsThroughEdge,
  createFleetUser,
  fleet,
  fleetDevice,
  inviteFinalCodes,
  registerThroughEdge,
  type FleetDevice,
  type FleetUser,
} from '../support/fleet';
import { statusCodes } from '../support/sipp';

// The fleet of scripts/fleet.sh (started by scripts/test.sh's fleet suite, shared by every fleet
// test): phones on the host register and call through the Kamailio edge; two switch nodes.
describe('fleet: calls through the edge', function () {
  this.timeout(180_000);
  let alice: FleetUser;
  let bob: FleetUser;
  let aliceDevice: FleetDevice;
  let bobDevice: FleetDevice;

  before(async function () {
    expect(fleet('status').output.trim().split('\n')).to.include.members(['node-1 up', 'node-2 up']);
    [alice, bob] = await Promise.all([createFleetUser('alice'), createFleetUser('bob')]);
    aliceDevice = fleetDevice(alice);
    bobDevice = fleetDevice(bob);
  });

  it('given two users, when both register through the edge, then each is challenged by a node and registered', async function () {
    expect(statusCodes(await registerThroughEdge(aliceDevice))).to.deep.equal([401, 200]);
    expect(statusCodes(await registerThroughEdge(bobDevice))).to.deep.equal([401, 200]);
  });

  it('given both registered, when alice calls bob 24 times, then every call is answered and both nodes carried some (per-node counts in /metrics)', async function () {
    const before = { n1: await callsRequestedOn('node-1'), n2: await callsRequestedOn('node-2') };
    const callee = await answersThroughEdge(bobDevice, { kind: 'answer', ringMs: 100 }, 24);
    const caller = callsThroughEdge(aliceDevice, bob.username, { calls: 24, rate: 4, holdMs: 800 });
    const callerResult = await caller.done;
    callee.kill();
    await callee.done;

    const codes = inviteFinalCodes(callerResult);
    expect(codes, callerResult.errors).to.have.length(24);
    expect(codes.filter((code) => code !== 200), 'calls not answered').to.deep.equal([]);
    // Every call also ended cleanly: the caller's BYE went through the edge along the Record-Route.
    expect(callerResult.exitCode, callerResult.errors).to.equal(0);
    const carried = { n1: (await callsRequestedOn('node-1')) - before.n1, n2: (await callsRequestedOn('node-2')) - before.n2 };
    expect(carried.n1 + carried.n2, JSON.stringify(carried)).to.equal(24);
    expect(carried.n1, 'calls on node-1').to.be.greaterThan(0);
    expect(carried.n2, 'calls on node-2').to.be.greaterThan(0);
  });
});
