import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { CHECKPOINT_KEY } from '../../../app/intercept/chain-checkpoint';
import { recordHash, type ChainedRecord } from '../../../app/intercept/hash-chain';
import { alice, bob, interceptHarness, type InterceptHarness } from './harness';

type Stored = ChainedRecord & { dedupeKey: string };

// What the verification finds when someone with write access to the database (but not the
// evidence key) changes, removes or rewrites evidence records.
describe('intercept evidence verification: losses and rewrites', function () {
  let h: InterceptHarness;
  let warrantId: string;
  let recordingId: string;

  const chainOf = (): Stored[] => h.repo.events.filter((e) => e.warrantId === warrantId);
  const problemsOf = async (): Promise<{ kind: string }[]> => {
    const report = await h.verifier.run();
    return report.chains.broken.find((b) => b.warrantId === warrantId)?.problems ?? [];
  };
  // Recomputes plain SHA-256 hashes from `from` on, and the head, as a database writer can.
  const rewritePlain = (from: number): void => {
    const records = chainOf();
    let prev = from === 0 ? (records[0]?.prevHash ?? '') : (records[from - 1]?.hash ?? '');
    for (const record of records.slice(from)) {
      delete record.keyId;
      record.prevHash = prev;
      record.hash = recordHash(prev, record);
      prev = record.hash;
    }
    const last = records.at(-1) as Stored;
    h.repo.warrants.get(warrantId)!.head = { seq: last.seq, hash: last.hash };
  };

  beforeEach(async function () {
    h = interceptHarness();
    await h.checkpoints.write();
    warrantId = (await h.warrant([{ type: 'sipUsername', value: 'alice' }])).id;
    const callId = randomUUID();
    const events = h.callEvents(callId, alice, bob);
    h.liveCall(callId, alice, bob);
    await h.interceptor.handle(events.requested);
    await h.interceptor.handle(events.answered);
    h.live.delete(callId);
    await h.interceptor.handle(events.ended);
    await h.collector.collectDue();
    recordingId = [...h.repo.recordings.keys()][0] ?? '';
    await h.checkpoints.write();
    expect((await h.verifier.run()).ok, 'intact to begin with').to.equal(true);
  });

  describe('a recording the chain says is stored', function () {
    it('given its row and its copies deleted, then the check fails naming it, its evidence lost', async function () {
      const row = h.repo.recordings.get(recordingId);
      h.repo.recordings.delete(recordingId);
      for (const location of h.locations) location.objects.delete(row?.objectKey ?? '');
      expect(await problemsOf()).to.deep.include({ kind: 'recording_row_missing', recordingId, copies: 'lost' });
    });

    it('given only its row deleted, then the check fails naming it, and says its copies are intact', async function () {
      h.repo.recordings.delete(recordingId);
      expect(await problemsOf()).to.deep.include({ kind: 'recording_row_missing', recordingId, copies: 'intact' });
    });

    for (const state of ['failed', 'purged'] as const) {
      it(`given its row set to ${state} with no record of it in the chain, then the check fails naming it`, async function () {
        h.repo.recordings.get(recordingId)!.state = state;
        const report = await h.verifier.run();
        expect(report.ok).to.equal(false);
        expect(report.chains.broken[0]?.problems).to.deep.include({ kind: 'recording_not_stored', recordingId, state });
      });
    }
  });

  describe('the hash chain', function () {
    it('given an event edited and every later hash and the head recomputed as plain SHA-256, then it is found', async function () {
      const records = chainOf();
      const end = records.findIndex((r) => r.kind === 'iri.end');
      (records[end] as { payload: unknown }).payload = { ...(records[end]?.payload as object), talkMs: 1 };
      rewritePlain(end);
      const problems = await problemsOf();
      expect(problems).to.deep.include({ kind: 'unkeyed', seq: end + 1 });
      expect(problems).to.deep.include({ kind: 'checkpoint_mismatch', seq: records.length });
    });

    it('given the whole chain recomputed as plain SHA-256 with its head, then every record is unkeyed for the checkpoint', async function () {
      rewritePlain(0);
      const problems = await problemsOf();
      expect(problems.filter((p) => p.kind === 'unkeyed')).to.have.length(chainOf().length);
    });

    it('given the last records deleted and the head moved back to a true record, then the checkpoint finds the chain shorter', async function () {
      const records = chainOf();
      const kept = records.slice(0, -2);
      for (const record of records.slice(-2)) h.repo.events.splice(h.repo.events.indexOf(record), 1);
      const last = kept.at(-1) as Stored;
      h.repo.warrants.get(warrantId)!.head = { seq: last.seq, hash: last.hash };
      expect(await problemsOf()).to.deep.include({ kind: 'checkpoint_ahead', checkpointSeq: records.length, headSeq: last.seq });
    });

    it('given the first records deleted with an anchor as a retention purge would leave, but no purge record, then the anchor is unjustified', async function () {
      const records = chainOf();
      for (const record of records.slice(0, 2)) h.repo.events.splice(h.repo.events.indexOf(record), 1);
      h.repo.anchors.set(warrantId, { seq: 2, hash: records[1]?.hash ?? '' });
      expect(await problemsOf()).to.deep.include({ kind: 'anchor_unjustified', seq: 2 });
    });

    it('given the warrant and its chain deleted, then the checkpoint still names it', async function () {
      h.repo.warrants.delete(warrantId);
      expect(await problemsOf()).to.deep.equal([{ kind: 'warrant_missing' }]);
    });

    it('given every copy of the checkpoint deleted, then the report says it is missing', async function () {
      for (const location of h.locations) location.objects.delete(CHECKPOINT_KEY);
      const report = await h.verifier.run();
      expect(report).to.deep.include({ ok: false, checkpoint: { found: false, missing: true } });
      expect(h.alerts.evidenceProblems.map((p) => p.problem)).to.include('chain_checkpoint_missing');
    });

    it('given a chain rewritten in the database, then the next checkpoint keeps what it saw before instead of taking the rewrite', async function () {
      const before = (await h.checkpoints.read())?.heads[warrantId];
      rewritePlain(0);
      const written = await h.checkpoints.write();
      expect(written.held).to.deep.equal([warrantId]);
      expect((await h.checkpoints.read())?.heads[warrantId]).to.deep.equal(before);
    });
  });

  it('given a chain written before keyed records (plain SHA-256), then the first checkpoint accepts it, later records are keyed, and an edit of the old part is found', async function () {
    const legacy = interceptHarness();
    const id = (await legacy.warrant([{ type: 'user', value: 'u' }])).id;
    const records = legacy.repo.events.filter((e) => e.warrantId === id);
    // As the chains of before: plain hashes.
    let prev = records[0]?.prevHash ?? '';
    for (const record of records) {
      delete record.keyId;
      record.prevHash = prev;
      record.hash = recordHash(prev, record);
      prev = record.hash;
    }
    legacy.repo.warrants.get(id)!.head = { seq: records.length, hash: prev };
    await legacy.checkpoints.write();
    expect((await legacy.checkpoints.read())?.heads[id]?.keyedFrom).to.equal(records.length + 1);
    await legacy.warrants.deactivate(id);
    expect(legacy.repo.events.at(-1)?.keyId).to.equal(legacy.keys.current.id);
    expect((await legacy.verifier.run()).ok).to.equal(true);
    (records[0] as { payload: unknown }).payload = { edited: true };
    records[0]!.hash = recordHash(records[0]!.prevHash, records[0]!);
    const report = await legacy.verifier.run();
    expect(report.chains.broken[0]?.problems.map((p) => p.kind)).to.include('broken_link');
  });
});
