import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { AgencyAccess } from '../../../app/intercept/agency-access';
import { ChainCheckpoints } from '../../../app/intercept/chain-checkpoint';
import { EvidenceCipher } from '../../../app/intercept/evidence-cipher';
import { EvidenceKeyRing } from '../../../app/intercept/evidence-keys';
import { EvidenceRewrap } from '../../../app/intercept/evidence-rewrap';
import { EvidenceVault } from '../../../app/intercept/evidence-vault';
import { EvidenceVerifier } from '../../../app/intercept/evidence-verifier';
import { silentLogger } from '../../../app/shared/infra/logger';
import { alice, bob, interceptHarness } from './harness';

// Ten years of evidence outlive an encryption key: a new key for new evidence, the old one kept to
// read, and a re-wrap that moves old recordings to the new key.
describe('intercept evidence key rotation', function () {
  it('given a recording sealed with the old key, when the key is rotated and the re-wrap runs, then it is sealed with the new key, the move is in the chain, and the new key alone reads it', async function () {
    const h = interceptHarness();
    const warrantId = (await h.warrant([{ type: 'sipUsername', value: 'alice' }])).id;
    const callId = randomUUID();
    const events = h.callEvents(callId, alice, bob);
    h.liveCall(callId, alice, bob);
    await h.interceptor.handle(events.requested);
    await h.interceptor.handle(events.answered);
    h.live.delete(callId);
    await h.interceptor.handle(events.ended);
    await h.collector.collectDue();
    await h.checkpoints.write();
    const before = { ...[...h.repo.recordings.values()][0] };
    const oldKeyId = h.keys.current.id;

    // The rotation: INTERCEPT_ENCRYPTION_KEY new, the old one in INTERCEPT_PREVIOUS_ENCRYPTION_KEYS.
    const newKey = randomBytes(32);
    const ring = new EvidenceKeyRing(newKey, [h.keys.get(oldKeyId) ?? Buffer.alloc(0)]);
    h.repo.keys = ring;
    const vault = new EvidenceVault(h.locations, new EvidenceCipher(ring));
    const alerts = { contentFailed: () => undefined, evidenceProblem: () => undefined };
    const checkpoints = new ChainCheckpoints({ repo: h.repo, vault, clock: h.clock, alerts, log: silentLogger });
    const verifier = new EvidenceVerifier({ repo: h.repo, vault, keys: ring, checkpoints, alerts, log: silentLogger, now: h.clock.now });
    const rewrap = new EvidenceRewrap({ repo: h.repo, vault, clock: h.clock, log: silentLogger });

    expect(await rewrap.run()).to.deep.equal({ checked: 1, rewrapped: 1, failed: [] });
    const after = h.repo.recordings.get(before?.id ?? '');
    expect(after?.objectKey).to.equal(`warrants/${warrantId}/recordings/${before?.id}.${ring.current.id}.wav.enc`);
    expect(after?.sha256, 'the content is the same').to.equal(before?.sha256);
    for (const location of h.locations) {
      expect(location.objects.has(before?.objectKey ?? ''), 'old copy deleted').to.equal(false);
      expect(vault.keyIdOf(location.objects.get(after?.objectKey ?? '') ?? Buffer.alloc(0))).to.equal(ring.current.id);
    }
    const moved = h.repo.events.at(-1);
    expect(moved).to.deep.include({ kind: 'recording.rewrapped', keyId: ring.current.id });
    expect(moved?.payload).to.deep.include({ recordingId: before?.id, keyId: ring.current.id, previousKeyId: oldKeyId, objectSha256: after?.objectSha256 });
    expect((await verifier.run()).ok, 'old chain records still verify with the old key in the ring').to.equal(true);
    expect(await rewrap.run(), 'nothing left on the old key').to.deep.equal({ checked: 1, rewrapped: 0, failed: [] });

    const newKeyOnly = new EvidenceVault(h.locations, new EvidenceCipher(new EvidenceKeyRing(newKey)));
    const { wav } = await new AgencyAccess({ repo: h.repo, vault: newKeyOnly }).audio(await h.agency(), warrantId, before?.id ?? '');
    expect(wav.length).to.equal(before?.sizeBytes);
  });

  it('given a location down during the re-wrap, then the recording stays on the old key, intact, and is moved on the next run', async function () {
    const h = interceptHarness();
    await h.warrant([{ type: 'sipUsername', value: 'alice' }]);
    const callId = randomUUID();
    const events = h.callEvents(callId, alice, bob);
    h.liveCall(callId, alice, bob);
    for (const event of [events.requested, events.answered]) await h.interceptor.handle(event);
    h.live.delete(callId);
    await h.interceptor.handle(events.ended);
    await h.collector.collectDue();
    const before = { ...[...h.repo.recordings.values()][0] };
    const ring = new EvidenceKeyRing(randomBytes(32), [h.keys.get(h.keys.current.id) ?? Buffer.alloc(0)]);
    h.repo.keys = ring;
    const vault = new EvidenceVault(h.locations, new EvidenceCipher(ring));
    const rewrap = new EvidenceRewrap({ repo: h.repo, vault, clock: h.clock, log: silentLogger });
    h.locations[2]!.down = true;
    const report = await rewrap.run();
    expect(report.rewrapped).to.equal(0);
    expect(report.failed[0]?.recordingId).to.equal(before?.id);
    expect(h.repo.recordings.get(before?.id ?? '')?.objectKey).to.equal(before?.objectKey);
    expect(h.locations[0]?.objects.has(before?.objectKey ?? '')).to.equal(true);
    h.locations[2]!.down = false;
    expect((await rewrap.run()).rewrapped).to.equal(1);
  });
});
