import { expect } from 'chai';
import { api, createUser, type TestUser } from './admin-client';
import { type Device, device, register } from './devices';
import { answerPlaying, callPlaying } from './intercept/calls';
import { activateWarrant, audioOf, createAgency, eventsOf, storedRecordings } from './intercept/intercept-client';
import { soxStat, tonePower } from './intercept/sox';
import { tonePcap } from './intercept/tone-pcap';
import { type SippRun } from './sipp';

// The intercepted call of a fault (test/faults/): a target with a content warrant calls a peer,
// each side playing its own tone; afterwards the recording must hold both directions, readable by
// the warrant's agency and by no one else.
const TARGET_HZ = 500;
const PEER_HZ = 1300;
const HOUR_MS = 3600_000;

export interface InterceptedParties {
  target: TestUser;
  peer: TestUser;
  targetDevice: Device;
  peerDevice: Device;
  warrantId: string;
  agency: { id: string; token: string };
  otherAgency: { id: string; token: string };
  activatedAt: number;
}

export async function interceptedParties(prefix: string): Promise<InterceptedParties> {
  const [target, peer, agency, otherAgency] = await Promise.all([createUser(`${prefix}-target`), createUser(`${prefix}-peer`), createAgency(`${prefix} agency`), createAgency(`${prefix} other agency`)]);
  const activatedAt = Date.now();
  const warrantId = await activateWarrant({
    agencyId: agency.id,
    targets: [{ type: 'sipUsername', value: target.username }],
    content: true,
    validFrom: new Date(activatedAt - HOUR_MS).toISOString(),
    validUntil: new Date(activatedAt + HOUR_MS).toISOString(),
  });
  const [targetDevice, peerDevice] = [device(target), device(peer)];
  await register(targetDevice);
  await register(peerDevice);
  return { target, peer, targetDevice, peerDevice, warrantId, agency, otherAgency, activatedAt };
}

// The target calls the peer for holdMs, each playing its tone (up to 60 s of it).
export async function startInterceptedCall(parties: InterceptedParties, holdMs: number): Promise<{ caller: SippRun; peer: SippRun }> {
  const seconds = Math.min(60, Math.ceil(holdMs / 1000) + 5);
  const peer = await answerPlaying(parties.peerDevice, tonePcap(PEER_HZ, seconds), 200);
  const caller = callPlaying(parties.targetDevice, parties.peer.username, tonePcap(TARGET_HZ, seconds), holdMs);
  return { caller, peer };
}

// startInterceptedCall, resolved when both sipps are done, each having completed its call.
export async function interceptedCall(parties: InterceptedParties, holdMs: number): Promise<void> {
  const { caller, peer } = await startInterceptedCall(parties, holdMs);
  const [callerResult, peerResult] = await Promise.all([caller.done, peer.done]);
  expect(callerResult.exitCode, `intercepted call: ${callerResult.errors}`).to.equal(0);
  expect(peerResult.exitCode, `intercepted call's peer: ${peerResult.errors}`).to.equal(0);
}

// The recording of the intercepted call: stored, both directions (the target's tone from it, the
// peer's to it) for the whole talk time within toleranceS, for the warrant's agency only.
export async function checkInterceptedRecording(parties: InterceptedParties, options: { timeoutMs: number; toleranceS: number }): Promise<{ seconds: number; talkSeconds: number }> {
  const [recording] = await storedRecordings(parties.warrantId, parties.agency.token, 1, options.timeoutMs);
  const audio = await audioOf(parties.warrantId, recording?.id ?? '', parties.agency.token);
  expect(audio.status, 'the agency reads its recording').to.equal(200);
  const events = await eventsOf(parties.warrantId, parties.agency.token);
  const end = events.find((event) => event.kind === 'iri.end');
  const talkSeconds = Number(end?.payload.talkMs) / 1000;
  const fromTarget = soxStat(audio.wav, 1);
  expect(fromTarget.seconds, 'the recording covers the talk time').to.be.closeTo(talkSeconds, options.toleranceS);
  expect(tonePower(audio.wav, 1, TARGET_HZ), 'from the target: its tone').to.be.greaterThan(100 * tonePower(audio.wav, 1, PEER_HZ));
  expect(tonePower(audio.wav, 2, PEER_HZ), 'to the target: the peer').to.be.greaterThan(100 * tonePower(audio.wav, 2, TARGET_HZ));
  expect(events.filter((event) => event.kind === 'recording.stored'), 'one recording').to.have.length(1);
  const other = await audioOf(parties.warrantId, recording?.id ?? '', parties.otherAgency.token);
  expect(other.status, 'another agency cannot read it').to.equal(404);
  const operator = await api('GET', `/v1/warrants/${parties.warrantId}/recordings/${recording?.id ?? ''}/audio`);
  expect(operator.status, 'an operator (admin token) cannot read it').to.be.oneOf([401, 403, 404]);
  return { seconds: fromTarget.seconds, talkSeconds };
}
