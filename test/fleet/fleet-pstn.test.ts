import { expect } from 'chai';
import {
  answersThroughEdge,
  callsThroughEdge,
  carrierAnswersOnHost,
  carrierCallsFromHost,
  createFleetUser,
  fleetCarrier,
  fleetDevice,
  fleetEnv,
  fleetPayingUser,
  inviteFinalCodes,
  registerThroughEdge,
} from '../support/fleet';
import { finalCode } from '../support/sipp';

// The requests in a sipp message trace, each with the host of its top Via (the hop that sent it).
function requestsReceived(trace: string): { method: string; topVia: string }[] {
  return trace
    .split(/message received \[\d+\] bytes :/)
    .slice(1)
    .map((message) => ({ method: /^\s*([A-Z]+) sip:/.exec(message)?.[1] ?? '', topVia: /^Via:\s*SIP\/2\.0\/[A-Z]+\s+([^;:\s]+)/im.exec(message)?.[1] ?? '?' }))
    .filter((request) => request.method !== '');
}

// The phone network through the fleet: a carrier on the carrier host (its own namespace) reached
// by a node, and calling in through the edge, which recognises it by its source address.
describe('fleet: calls to and from a carrier host', function () {
  this.timeout(120_000);
  const carrierPort = 5070;

  it('given a carrier on the carrier host, when a user calls a UK number, then the carrier gets the call; when the carrier calls the user\'s number through the edge, then the user answers', async function () {
    const [alice, bob] = await Promise.all([createFleetUser('alice'), createFleetUser('bob')]);
    await fleetPayingUser(alice.id);
    await fleetCarrier(`fleet-carrier-${Date.now().toString(36)}`, carrierPort);
    // Controllers take new carriers in at their next routing refresh (2 s).
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const aliceDevice = fleetDevice(alice);
    const bobDevice = fleetDevice(bob);
    await registerThroughEdge(aliceDevice);
    await registerThroughEdge(bobDevice);

    const carrier = await carrierAnswersOnHost(carrierPort, { kind: 'answer', ringMs: 200 });
    const outbound = await callsThroughEdge(aliceDevice, '+442071838750', { calls: 1, holdMs: 1000 }).done;
    const carrierResult = await carrier.done;
    expect(inviteFinalCodes(outbound), outbound.errors || outbound.trace.slice(-3000)).to.deep.equal([200]);
    expect(outbound.exitCode, outbound.errors).to.equal(0);
    expect(carrierResult.received.filter((line) => line.startsWith('INVITE ')), 'INVITEs at the carrier host').to.have.length(1);
    // Every request the carrier got (the INVITE, its ACK, the BYE) was last sent by the edge: the
    // top Via is the edge's address, never a node's.
    const requests = requestsReceived(carrierResult.trace);
    expect(requests.map((request) => request.method), 'requests at the carrier host').to.include.members(['INVITE', 'BYE']);
    for (const request of requests) expect(`${request.method} via ${request.topVia}`).to.equal(`${request.method} via ${fleetEnv.edgeIp}`);

    const callee = await answersThroughEdge(bobDevice, { kind: 'answer', ringMs: 200 });
    const inbound = await carrierCallsFromHost(carrierPort, bob.phoneNumber, '+442071838750', 1000);
    const calleeResult = await callee.done;
    expect(finalCode(inbound), inbound.errors || inbound.trace.slice(-2000)).to.equal(200);
    expect(calleeResult.received.some((line) => line.startsWith('INVITE ')), 'bob rang').to.equal(true);
  });
});
