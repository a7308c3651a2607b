import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { AgencyAccess } from '../../../app/intercept/agency-access';
import { parseWav } from '../../../app/intercept/wav';
import { alice, bob, interceptHarness, type InterceptHarness } from './harness';

describe('intercept evidence: collection, verification, retention', function () {
  let h: InterceptHarness;
  let warrantId: string;

  beforeEach(async function () {
    h = interceptHarness();
    // As the app's jobs do at start and then every minute: the chain heads, signed, next to the evidence.
    await h.checkpoints.write();
    warrantId = (await h.warrant([{ type: 'sipUsername', value: 'alice' }])).id;
    const callId = randomUUID();
    const events = h.callEvents(callId, alice, bob);
    h.liveCall(callId, alice, bob);
    await h.interceptor.handle(events.requested);
    await h.interceptor.handle(events.answered);
    h.live.delete(callId);
    await h.interceptor.handle(events.ended);
  });

  it('given an ended recording, when collected, then both directions are stored as one stereo WAV in three copies, chained, and removed from the switch', async function () {
    await h.collector.collectDue();
    const [recording] = [...h.repo.recordings.values()];
    expect(recording).to.include({ state: 'stored', copies: 3, durationMs: 1000 });
    for (const location of h.locations) expect(location.objects.has(recording?.objectKey ?? '')).to.equal(true);
    const stored = h.repo.events.find((e) => e.kind === 'recording.stored');
    expect(stored?.payload).to.deep.include({ recordingId: recording?.id, sha256: recording?.sha256, copies: 3 });
    expect(h.tap.discarded).to.deep.equal([recording?.tap.nameIn, recording?.tap.nameOut]);
    const { wav } = await new AgencyAccess({ repo: h.repo, vault: h.vault }).audio(await h.agency(), warrantId, recording?.id ?? '');
    const audio = parseWav(wav);
    expect(audio.channels).to.equal(2);
    expect([audio.data.readInt16LE(0), audio.data.readInt16LE(2)]).to.deep.equal([1000, -1000]);
  });

  it('given a recording still being written on the switch, then collection waits for it', async function () {
    const [recording] = [...h.repo.recordings.values()];
    h.tap.live.add(recording?.tap.nameIn ?? '');
    await h.collector.collectDue();
    expect(h.repo.recordings.get(recording?.id ?? '')?.state).to.equal('ended');
    h.tap.live.clear();
    await h.collector.collectDue();
    expect(h.repo.recordings.get(recording?.id ?? '')?.state, 'not retried at once').to.equal('ended');
    h.advance(1500);
    await h.collector.collectDue();
    expect(h.repo.recordings.get(recording?.id ?? '')?.state).to.equal('stored');
  });

  it('given a storage location down, then the recording is stored in the others, the failure is in the chain and alerted, and the switch keeps its files; once the location is back, the copy is written and the files deleted', async function () {
    h.locations[1]!.down = true;
    await h.collector.collectDue();
    const [recording] = [...h.repo.recordings.values()];
    expect(recording).to.include({ state: 'stored', copies: 2, spoolKept: true });
    expect(recording?.missingLocations).to.deep.equal(['b']);
    const kinds = h.repo.events.map((e) => e.kind);
    expect(kinds.slice(-2)).to.deep.equal(['content.store_failed', 'recording.stored']);
    expect(h.repo.events.at(-2)?.payload).to.deep.include({ recordingId: recording?.id, stored: 2, failed: [{ location: 'b', error: 'b is down' }] });
    expect(h.repo.events.at(-1)?.payload).to.deep.include({ copies: 2, missingLocations: ['b'] });
    expect(h.alerts.evidenceProblems.map((p) => p.problem)).to.deep.equal(['evidence_not_stored']);
    expect(h.tap.discarded).to.deep.equal([]);
    h.advance(11_000);
    await h.collector.collectDue();
    expect(h.repo.recordings.get(recording?.id ?? '')).to.include({ copies: 2, spoolKept: true });
    h.locations[1]!.down = false;
    h.advance(11_000);
    await h.collector.collectDue();
    expect(h.repo.recordings.get(recording?.id ?? '')).to.include({ copies: 3, spoolKept: false });
    expect(h.repo.recordings.get(recording?.id ?? '')?.missingLocations).to.deep.equal([]);
    expect(h.repo.events.at(-1)).to.deep.include({ kind: 'recording.copies_completed' });
    expect(h.repo.events.at(-1)?.payload).to.deep.include({ copies: 3, written: ['b'] });
    expect(h.locations[1]?.objects.has(recording?.objectKey ?? '')).to.equal(true);
    expect(h.tap.discarded).to.deep.equal([recording?.tap.nameIn, recording?.tap.nameOut]);
    expect((await h.verifier.run()).ok).to.equal(true);
  });

  it('given every storage location down, then the failure is recorded and alerted once, the recording waits on the switch, and is stored once storage is back', async function () {
    for (const location of h.locations) location.down = true;
    await h.collector.collectDue();
    h.advance(1500);
    await h.collector.collectDue();
    const [recording] = [...h.repo.recordings.values()];
    expect(recording).to.include({ state: 'ended', attempts: 2 });
    expect(h.repo.events.filter((e) => e.kind === 'content.store_failed')).to.have.length(1);
    expect(h.alerts.evidenceProblems.map((p) => p.problem)).to.deep.equal(['evidence_not_stored']);
    expect(h.tap.discarded).to.deep.equal([]);
    for (const location of h.locations) location.down = false;
    h.advance(1500);
    await h.collector.collectDue();
    expect(h.repo.recordings.get(recording?.id ?? '')).to.include({ state: 'stored', copies: 3, spoolKept: false });
    expect(h.tap.discarded).to.have.length(2);
  });

  it('given a copy lost and a record altered, when verified, then the copy is repaired and the chain reported broken', async function () {
    await h.collector.collectDue();
    const [recording] = [...h.repo.recordings.values()];
    h.locations[0]?.objects.delete(recording?.objectKey ?? '');
    let report = await h.verifier.run();
    expect(report).to.deep.include({ ok: true });
    expect(report.recordings).to.deep.include({ checked: 1, repaired: 1 });
    // The repair is evidence too.
    expect(h.repo.events.at(-1)).to.deep.include({ kind: 'recording.copies_repaired' });
    expect(h.repo.events.at(-1)?.payload).to.deep.include({ copies: 3, repaired: [{ location: 'a', was: 'missing' }] });
    h.locations[2]!.down = true;
    report = await h.verifier.run();
    expect(report.ok, 'a location down: fewer copies than locations').to.equal(false);
    expect(report.recordings.degraded).to.deep.equal([recording?.id]);
    expect(h.repo.recordings.get(recording?.id ?? '')).to.deep.include({ copies: 2, missingLocations: ['c'] });
    h.locations[2]!.down = false;
    const end = h.repo.events.find((e) => e.kind === 'iri.end');
    (end as { payload: Record<string, unknown> }).payload = { ...(end?.payload as object), talkMs: 1 };
    report = await h.verifier.run();
    expect(report.ok).to.equal(false);
    expect(report.chains.broken[0]?.warrantId).to.equal(warrantId);
    expect(h.alerts.evidenceProblems.map((p) => p.problem)).to.include('hash_chain_broken');
  });

  it('given a chain longer than a page, then it is checked across pages and a change deep in it is found', async function () {
    for (let i = 0; i < 2300; i += 1) await h.repo.appendEvent(warrantId, { dedupeKey: `bulk${i}`, kind: 'iri.continue', occurredAt: h.clock.now(), payload: { i } });
    expect((await h.verifier.checkChain(warrantId))).to.deep.equal([]);
    const deep = h.repo.events.filter((e) => e.warrantId === warrantId)[1700] as { payload: unknown; seq: number };
    deep.payload = { i: -1 };
    expect(await h.verifier.checkChain(warrantId)).to.deep.equal([{ kind: 'hash_mismatch', seq: deep.seq }]);
  });

  it("given a recording's stored hash changed in its row, then verification finds it differs from the chain", async function () {
    await h.collector.collectDue();
    const [recording] = [...h.repo.recordings.values()];
    h.repo.recordings.get(recording?.id ?? '')!.sizeBytes = 1;
    const report = await h.verifier.run();
    expect(report.chains.broken[0]?.problems).to.deep.include({ kind: 'recording_mismatch', recordingId: recording?.id, field: 'sizeBytes' });
  });

  it('given evidence past its retention, then copies and old records are deleted, the deletion is recorded, and the rest of the chain still verifies', async function () {
    await h.collector.collectDue();
    const [recording] = [...h.repo.recordings.values()];
    h.advance(3651 * 24 * 3600_000);
    const purged = await h.retention.run();
    expect(purged.recordingsPurged).to.equal(1);
    expect(purged.recordsPurged).to.be.greaterThan(5);
    for (const location of h.locations) expect([...location.objects.keys()].filter((key) => key.startsWith('warrants/'))).to.deep.equal([]);
    expect(h.repo.recordings.get(recording?.id ?? '')).to.include({ state: 'purged' });
    expect(h.repo.events.map((e) => e.kind)).to.deep.equal(['recording.purged', 'records.purged']);
    expect((await h.verifier.run()).ok).to.equal(true);
  });
});
