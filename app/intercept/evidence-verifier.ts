import { type Logger } from '../shared/infra/logger';
import { type EvidenceCheck, type EvidenceVault } from './evidence-vault';
import { type ChainedRecord, type ChainProblem, verifyChain } from './hash-chain';
import { type InterceptRepository, type Recording } from './model';
import { type InterceptAlerts } from './ports';

export interface VerificationReport {
  startedAt: string;
  finishedAt: string;
  recordings: { checked: number; intact: number; repaired: number; unrecoverable: string[] };
  chains: { checked: number; broken: { warrantId: string; problems: (ChainProblem | { kind: 'recording_mismatch'; recordingId: string; field: string })[] }[] };
  // Everything found intact, or repaired.
  ok: boolean;
}

const PAGE = 100;
const CHAIN_PAGE = 1000;

// Re-reads every copy of every stored recording (checking its hashes and repairing a lost or
// corrupt copy from an intact one) and checks every warrant's hash chain, including that each
// stored recording's hashes are the ones its chain record holds.
export class EvidenceVerifier {
  constructor(private readonly deps: { repo: InterceptRepository; vault: EvidenceVault; alerts: InterceptAlerts; log: Logger; now: () => Date }) {}

  async run(): Promise<VerificationReport> {
    const startedAt = this.deps.now().toISOString();
    const recordings = { checked: 0, intact: 0, repaired: 0, unrecoverable: [] as string[] };
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
      }
      afterId = page[page.length - 1]?.id;
    }
    const chains: VerificationReport['chains'] = { checked: 0, broken: [] };
    for (const warrantId of await this.deps.repo.allWarrantIds()) {
      const problems = await this.checkChain(warrantId);
      chains.checked += 1;
      if (problems.length > 0) {
        chains.broken.push({ warrantId, problems });
        this.deps.alerts.evidenceProblem({ problem: 'hash_chain_broken', warrantId, problems });
      }
    }
    const report = { startedAt, finishedAt: this.deps.now().toISOString(), recordings, chains, ok: recordings.unrecoverable.length === 0 && chains.broken.length === 0 };
    this.deps.log.info('intercept evidence verified', { ok: report.ok, recordings, brokenChains: chains.broken.length });
    return report;
  }

  async checkRecording(recording: Recording): Promise<EvidenceCheck> {
    if (!recording.objectKey || !recording.objectSha256 || !recording.sha256) return { key: recording.id, copies: [], recoverable: false };
    const check = await this.deps.vault.verifyAndRepair(recording.objectKey, recording.objectSha256, recording.sha256);
    const bad = check.copies.filter((copy) => copy.status !== 'ok');
    if (!check.recoverable) {
      this.deps.alerts.evidenceProblem({ problem: 'recording_unrecoverable', recordingId: recording.id, warrantId: recording.warrantId, copies: check.copies });
    } else if (bad.length > 0) {
      this.deps.log.warn('intercept recording copies repaired', { recordingId: recording.id, warrantId: recording.warrantId, copies: check.copies });
    }
    return check;
  }

  async checkChain(warrantId: string): Promise<VerificationReport['chains']['broken'][number]['problems']> {
    const chain = await this.deps.repo.chainOf(warrantId);
    if (!chain) return [];
    const problems: VerificationReport['chains']['broken'][number]['problems'] = [];
    // Read in pages: a warrant's chain grows for years.
    const stored = new Map<string, Record<string, unknown>>();
    let position = chain.start;
    let firstAt: string | undefined;
    for (;;) {
      const page = await this.deps.repo.eventsOf(warrantId, { afterSeq: position.seq, limit: CHAIN_PAGE });
      if (page.length === 0) break;
      firstAt ??= page[0]?.occurredAt;
      problems.push(...verifyChain(page, position));
      for (const record of page) {
        const recordingId = (record.payload as { recordingId?: unknown }).recordingId;
        if (record.kind === 'recording.stored' && typeof recordingId === 'string') stored.set(recordingId, record.payload as Record<string, unknown>);
      }
      const last = page[page.length - 1] as ChainedRecord;
      position = { seq: last.seq, hash: last.hash };
    }
    if (position.seq !== chain.head.seq || position.hash !== chain.head.hash) problems.push({ kind: 'head_mismatch', headSeq: chain.head.seq, lastSeq: position.seq });
    // The recordings' own rows must agree with what the chain recorded when they were stored.
    for (const recording of await this.deps.repo.recordingsOfWarrant(warrantId)) {
      if (recording.state !== 'stored') continue;
      const entry = stored.get(recording.id);
      if (!entry) {
        // Its record may have gone with records past retention; only then may it be missing.
        if (firstAt && recording.storedAt && recording.storedAt.toISOString() >= firstAt) {
          problems.push({ kind: 'recording_mismatch', recordingId: recording.id, field: 'chain_record_missing' });
        }
        continue;
      }
      for (const field of ['sha256', 'objectSha256', 'sizeBytes'] as const) {
        if (entry[field] !== recording[field]) problems.push({ kind: 'recording_mismatch', recordingId: recording.id, field });
      }
    }
    return problems;
  }
}
