import { type Logger } from '../shared/infra/logger';
import { type ChainCheckpoints, type Checkpoint, type CheckpointProblem } from './chain-checkpoint';
import { type EvidenceCheck, type EvidenceVault } from './evidence-vault';
import { ChainChecker, type ChainKeys, type ChainProblem } from './hash-chain';
import { type InterceptRepository, type Recording } from './model';
import { type InterceptAlerts } from './ports';
import { expectedRecordings, type ExpectedRecording } from './recording-ledger';

export type RecordingProblem =
  | { kind: 'recording_mismatch'; recordingId: string; field: string }
  // The chain says it was stored and not purged, yet its row is gone or not stored.
  | { kind: 'recording_row_missing'; recordingId: string; copies: 'intact' | 'lost' }
  | { kind: 'recording_not_stored'; recordingId: string; state: string }
  // The chain's start (after a retention purge) has no record saying so.
  | { kind: 'anchor_unjustified'; seq: number };

export type WarrantProblem = ChainProblem | CheckpointProblem | RecordingProblem;

export interface VerificationReport {
  startedAt: string;
  finishedAt: string;
  // degraded: recordings with fewer intact copies than locations, even after repair (one is down).
  recordings: { checked: number; intact: number; repaired: number; unrecoverable: string[]; degraded: string[] };
  chains: { checked: number; broken: { warrantId: string; problems: WarrantProblem[] }[] };
  // The signed checkpoint of chain heads: missing while keyed chains exist is a problem.
  checkpoint: { found: boolean; writtenAt?: string; missing: boolean };
  // Everything found intact, or repaired.
  ok: boolean;
}

const PAGE = 100;
const CHAIN_PAGE = 1000;

export interface EvidenceVerifierDeps {
  repo: InterceptRepository;
  vault: EvidenceVault;
  keys: ChainKeys;
  checkpoints: ChainCheckpoints;
  alerts: InterceptAlerts;
  log: Logger;
  now: () => Date;
}

// Re-reads every copy of every stored recording (checking its hashes and repairing a lost or
// corrupt copy from an intact one) and checks every warrant's hash chain: its links and keys, the
// signed checkpoint, and that every recording the chain says was stored (and not purged since)
// still has its row, stored, with the hashes the chain holds.
export class EvidenceVerifier {
  constructor(private readonly deps: EvidenceVerifierDeps) {}

  async run(): Promise<VerificationReport> {
    const startedAt = this.deps.now().toISOString();
    const recordings = { checked: 0, intact: 0, repaired: 0, unrecoverable: [] as string[], degraded: [] as string[] };
    let afterId: string | undefined;
    for (;;) {
      const page = await this.deps.repo.storedRecordings(afterId, PAGE);
      if (page.length === 0) break;
      for (const recording of page) {
        const check = await this.checkRecording(recording);
        recordings.checked += 1;
        if (!check.recoverable) recordings.unrecoverable.push(recording.id);
        else if (check.copies.some((copy) => copy.status !== 'ok')) recordings.repaired += 1;
        else recordings.intact += 1;
        if (check.recoverable && check.copies.some((copy) => copy.status !== 'ok' && copy.status !== 'repaired')) recordings.degraded.push(recording.id);
      }
      afterId = page[page.length - 1]?.id;
    }
    const checkpoint = await this.deps.checkpoints.read();
    const chains: VerificationReport['chains'] = { checked: 0, broken: [] };
    let keyedChains = 0;
    const warrantIds = await this.deps.repo.allWarrantIds();
    for (const warrantId of warrantIds) {
      const { problems, keyed } = await this.checkWarrant(warrantId, checkpoint);
      chains.checked += 1;
      if (keyed) keyedChains += 1;
      if (problems.length > 0) chains.broken.push({ warrantId, problems });
    }
    // A warrant the checkpoint knows and the database no longer has.
    const present = new Set(warrantIds);
    for (const warrantId of Object.keys(checkpoint?.heads ?? {})) {
      if (!present.has(warrantId)) chains.broken.push({ warrantId, problems: [{ kind: 'warrant_missing' }] });
    }
    for (const broken of chains.broken) this.deps.alerts.evidenceProblem({ problem: 'hash_chain_broken', warrantId: broken.warrantId, problems: broken.problems });
    const missing = !checkpoint && keyedChains > 0;
    if (missing) this.deps.alerts.evidenceProblem({ problem: 'chain_checkpoint_missing' });
    const report: VerificationReport = {
      startedAt,
      finishedAt: this.deps.now().toISOString(),
      recordings,
      chains,
      checkpoint: { found: checkpoint !== undefined, ...(checkpoint ? { writtenAt: checkpoint.writtenAt } : {}), missing },
      ok: recordings.unrecoverable.length === 0 && recordings.degraded.length === 0 && chains.broken.length === 0 && !missing,
    };
    this.deps.log.info('intercept evidence verified', { ok: report.ok, recordings, brokenChains: chains.broken.length });
    return report;
  }

  async checkRecording(recording: Recording): Promise<EvidenceCheck> {
    if (!recording.objectKey || !recording.objectSha256 || !recording.sha256) return { key: recording.id, copies: [], recoverable: false };
    const check = await this.deps.vault.verifyAndRepair(recording.objectKey, recording.objectSha256, recording.sha256);
    const bad = check.copies.filter((copy) => copy.status !== 'ok');
    if (!check.recoverable) {
      this.deps.alerts.evidenceProblem({ problem: 'recording_unrecoverable', recordingId: recording.id, warrantId: recording.warrantId, copies: check.copies });
      return check;
    }
    if (bad.length > 0) this.deps.log.warn('intercept recording copies repaired', { recordingId: recording.id, warrantId: recording.warrantId, copies: check.copies });
    await this.noteCopies(recording, check);
    return check;
  }

  // The row says how many copies there are and which are missing; a copy written back is a
  // record in the chain (what it was found to be, where).
  private async noteCopies(recording: Recording, check: EvidenceCheck): Promise<void> {
    const missing = check.copies.filter((copy) => copy.status !== 'ok' && copy.status !== 'repaired').map((copy) => copy.location);
    const copies = check.copies.length - missing.length;
    const repaired = check.copies.filter((copy) => copy.status === 'repaired');
    const unchanged = copies === recording.copies && missing.join() === recording.missingLocations.join();
    if (unchanged && repaired.length === 0) return;
    if (missing.length > 0) this.deps.alerts.evidenceProblem({ problem: 'evidence_copy_missing', recordingId: recording.id, warrantId: recording.warrantId, missing });
    const now = this.deps.now();
    await this.deps.repo.updateRecording(
      recording.id,
      { copies, missingLocations: missing },
      repaired.length === 0
        ? undefined
        : {
            dedupeKey: `${recording.id}:copies-repaired:${now.getTime()}`,
            kind: 'recording.copies_repaired',
            interceptId: recording.interceptId,
            callId: recording.callId,
            occurredAt: now,
            payload: { recordingId: recording.id, copies, repaired: repaired.map((copy) => ({ location: copy.location, was: copy.was })) },
          },
    );
  }

  async checkChain(warrantId: string, checkpoint?: Checkpoint): Promise<WarrantProblem[]> {
    return (await this.checkWarrant(warrantId, checkpoint ?? (await this.deps.checkpoints.read()))).problems;
  }

  private async checkWarrant(warrantId: string, checkpoint: Checkpoint | undefined): Promise<{ problems: WarrantProblem[]; keyed: boolean }> {
    const chain = await this.deps.repo.chainOf(warrantId);
    if (!chain) return { problems: [], keyed: false };
    const entry = checkpoint?.heads[warrantId];
    // Once a checkpoint exists, a warrant it does not know yet is new: keyed from its first record.
    const keyedFrom = entry?.keyedFrom ?? (checkpoint ? 1 : undefined);
    const checker = new ChainChecker(this.deps.keys, chain.start, keyedFrom);
    const ledger = expectedRecordings();
    let keyed = false;
    let firstKeyed: boolean | undefined;
    // Read in pages: a warrant's chain grows for years.
    for (;;) {
      const page = await this.deps.repo.eventsOf(warrantId, { afterSeq: checker.last.seq, limit: CHAIN_PAGE });
      if (page.length === 0) break;
      checker.add(page);
      for (const record of page) {
        firstKeyed ??= record.keyId !== undefined;
        keyed ||= record.keyId !== undefined;
        ledger.add(record);
      }
    }
    const problems: WarrantProblem[] = [...checker.finish(chain.head)];
    // A purge appends its record in the purge's own transaction. Purges of before keyed chains did
    // it separately, and their chains still start with plain records: those are let through.
    if (chain.start.seq > 0 && ledger.purgedUpTo !== chain.start.seq && firstKeyed !== false) problems.push({ kind: 'anchor_unjustified', seq: chain.start.seq });
    if (entry) problems.push(...(await this.deps.checkpoints.compare(warrantId, entry)));
    problems.push(...(await this.checkRecordingsAgainstChain(warrantId, ledger.firstAt, ledger.recordings)));
    return { problems, keyed };
  }

  // The recordings' rows must agree with what the chain recorded of them.
  private async checkRecordingsAgainstChain(warrantId: string, firstAt: string | undefined, expected: Map<string, ExpectedRecording>): Promise<RecordingProblem[]> {
    const problems: RecordingProblem[] = [];
    const rows = new Map((await this.deps.repo.recordingsOfWarrant(warrantId)).map((row) => [row.id, row]));
    for (const [recordingId, chained] of expected) {
      const row = rows.get(recordingId);
      if (chained.purged) {
        if (row && row.state !== 'purged') problems.push({ kind: 'recording_not_stored', recordingId, state: row.state });
        continue;
      }
      if (!row) {
        // Say whether the evidence itself is still there: the row can be rebuilt from the chain then.
        const check = await this.deps.vault.verifyAndRepair(chained.objectKey, chained.objectSha256, chained.sha256);
        problems.push({ kind: 'recording_row_missing', recordingId, copies: check.recoverable ? 'intact' : 'lost' });
        continue;
      }
      if (row.state !== 'stored') {
        problems.push({ kind: 'recording_not_stored', recordingId, state: row.state });
        continue;
      }
      for (const field of ['sha256', 'objectSha256', 'sizeBytes', 'objectKey'] as const) {
        if (chained[field] !== undefined && chained[field] !== row[field]) problems.push({ kind: 'recording_mismatch', recordingId, field });
      }
    }
    for (const row of rows.values()) {
      if (row.state !== 'stored' || expected.has(row.id)) continue;
      // Its record may have gone with records past retention; only then may it be missing.
      if (firstAt && row.storedAt && row.storedAt.toISOString() >= firstAt) problems.push({ kind: 'recording_mismatch', recordingId: row.id, field: 'chain_record_missing' });
    }
    return problems;
  }
}
