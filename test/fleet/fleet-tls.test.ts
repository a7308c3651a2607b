import { expect } from 'chai';
import { join } from 'node:path';
import { startBaresip, type Baresip, type BaresipOptions } from '../support/baresip';
import { cleartextSipFrames, framesCount, packetsWithTone, sdpLinesSeen, startBridgeCapture, udpPayloads } from '../support/bridge-capture';
import { createFleetUser, fleet, fleetApi, fleetEnv, fleetNamespace, type FleetUser } from '../support/fleet';
import { tonePower } from '../support/intercept/sox';

// SIP over TLS with SDES-SRTP through the fleet's edge (kamailio/edge-tls.cfg), with baresip phones
// on the host (Debian's sipp has no TLS). A capture on the fleet's bridge (the edge's public side:
// phones, edge and the nodes' RTP) shows what crosses it.
const CA = join(__dirname, '..', '..', '.local', 'certs', 'ca.crt');
const BRIDGE = fleetNamespace('br0');
const PORT_BASE = Number(process.env.TEST_PORT_BASE ?? 41500) + 300;
const TONES = { alice: 700, bob: 1100, carol: 1300 };

describe('fleet: SIP over TLS and SRTP at the edge', function () {
  this.timeout(180_000);
  let alice: FleetUser;
  let bob: FleetUser;
  let carol: FleetUser;
  let dave: FleetUser;
  const phones: Baresip[] = [];
  let nextPort = PORT_BASE;

  const phone = (user: FleetUser, options: Pick<BaresipOptions, 'transport' | 'mediaenc' | 'toneHz' | 'commands' | 'quitAfterS'>): Baresip => {
    nextPort += 10;
    const started = startBaresip({ name: user.username, username: user.username, password: user.password, edgeIp: fleetEnv.edgeIp, listen: `${fleetEnv.hostIp}:${nextPort}`, netInterface: BRIDGE, caFile: CA, ...options });
    phones.push(started);
    return started;
  };
  const nodeIps = (): string[] => ['node-1', 'node-2'].map((node) => fleetEnv.nodeIp(node));
  // RTP the phones sent (to their node), and what the nodes sent them.
  const mediaOf = (file: string): Buffer[] => [...sentByPhones(file), ...nodeIps().flatMap((ip) => udpPayloads(file, ip, fleetEnv.hostIp))];
  const sentByPhones = (file: string): Buffer[] => nodeIps().flatMap((ip) => udpPayloads(file, fleetEnv.hostIp, ip));

  before(async function () {
    expect(fleet('status').output.trim().split('\n')).to.include.members(['node-1 up', 'node-2 up']);
    [alice, bob, carol, dave] = await Promise.all([createFleetUser('alice'), createFleetUser('bob'), createFleetUser('carol'), createFleetUser('dave')]);
    const required = await fleetApi('PUT', `/v1/users/${dave.id}/media-encryption`, { mediaEncryption: 'required' });
    expect(required.status, JSON.stringify(required.body)).to.equal(200);
    expect(required.body.mediaEncryption).to.equal('required');
  });

  afterEach(async function () {
    await Promise.all(phones.splice(0).map((p) => p.stop()));
  });

  it('given alice and bob on TLS, when alice calls bob with SRTP, then the bridge carries no SIP in clear and RTP that is not the G.711 tone, and each phone hears the other', async function () {
    const capture = await startBridgeCapture(BRIDGE, `host ${fleetEnv.hostIp}`);
    const callee = phone(bob, { transport: 'tls', mediaenc: 'srtp', toneHz: TONES.bob });
    await callee.waitFor(/\{0\/TLS\/v4\} 200 OK/, 30_000);
    const caller = phone(alice, { transport: 'tls', mediaenc: 'srtp-mand', toneHz: TONES.alice, commands: [`/dial ${bob.username}`], quitAfterS: 12 });
    await caller.waitFor(/established/i, 30_000);
    await caller.exited();
    await callee.stop();
    const file = await capture.stop();

    expect(framesCount(file, 'tcp.port == 5061'), 'SIP over TLS to the edge').to.be.greaterThan(0);
    expect(cleartextSipFrames(file, [alice.username, bob.username]), "frames with the call's SIP in clear").to.equal(0);
    const media = mediaOf(file);
    expect(media.length, 'RTP packets between the phones and the node').to.be.greaterThan(100);
    expect(packetsWithTone(media, TONES.alice), "packets with alice's tone in clear").to.equal(0);
    expect(packetsWithTone(media, TONES.bob), "packets with bob's tone in clear").to.equal(0);
    // The switch decrypts and re-encrypts: each side hears the other's tone.
    const heardByBob = callee.heard();
    expect(tonePower(heardByBob, 1, TONES.alice), 'alice heard by bob').to.be.greaterThan(10 * tonePower(heardByBob, 1, TONES.bob));
    const heardByAlice = caller.heard();
    expect(tonePower(heardByAlice, 1, TONES.bob), 'bob heard by alice').to.be.greaterThan(10 * tonePower(heardByAlice, 1, TONES.alice));
  });

  it('given carol on plain UDP, when alice on TLS calls her, then the call connects with SRTP to alice and plain RTP to carol, and no SDES key crosses the bridge in clear', async function () {
    const capture = await startBridgeCapture(BRIDGE, `host ${fleetEnv.hostIp}`);
    const callee = phone(carol, { transport: 'udp', mediaenc: 'none', toneHz: TONES.carol });
    await callee.waitFor(/\{0\/UDP\/v4\} 200 OK/, 30_000);
    const caller = phone(alice, { transport: 'tls', mediaenc: 'srtp-mand', toneHz: TONES.alice, commands: [`/dial ${carol.username}`], quitAfterS: 12 });
    await caller.waitFor(/established/i, 30_000);
    await caller.exited();
    await callee.stop();
    const file = await capture.stop();

    expect(sdpLinesSeen(file, 'a=crypto'), 'SDES keys in clear').to.equal(0);
    // What the phones sent: carol's plain RTP carries her tone in clear (so the check could see a
    // tone if there were one), alice's SRTP does not carry hers. (The node sends alice's voice to
    // carol in clear: carol's leg is plain.)
    const sent = sentByPhones(file);
    expect(packetsWithTone(sent, TONES.carol), "packets with carol's tone in clear").to.be.greaterThan(50);
    expect(packetsWithTone(sent, TONES.alice), "packets with alice's tone in clear").to.equal(0);
    const heardByCarol = callee.heard();
    expect(tonePower(heardByCarol, 1, TONES.alice), 'alice heard by carol').to.be.greaterThan(10 * tonePower(heardByCarol, 1, TONES.carol));
  });

  it('given dave whose policy is required, when his phone registers over UDP, then the edge refuses it with a clear 403; over TLS it registers', async function () {
    const plain = phone(dave, { transport: 'udp', mediaenc: 'srtp-mand', toneHz: TONES.alice });
    await plain.waitFor(/403 Encrypted media required/, 30_000);
    await plain.stop();
    const secure = phone(dave, { transport: 'tls', mediaenc: 'srtp-mand', toneHz: TONES.alice });
    await secure.waitFor(/\{0\/TLS\/v4\} 200 OK/, 30_000);
  });
});
