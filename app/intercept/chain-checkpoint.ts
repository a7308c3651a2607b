import { type Clock } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type EvidenceVault } from './evidence-vault';
import { type InterceptRepository } from './model';
import { type InterceptAlerts } from './ports';

// Signed chain heads kept next to the evidence, outside the database: in every evidence location,
// sealed (AES-256-GCM, so only a holder of the evidence key can write one that opens). Someone who
// rewrites the database, deletes the last records of a chain and moves its head back, or deletes a
// warrant, disagrees with it. It also says from which record on each chain must be keyed.
export const CHECKPOINT_KEY = 'chains/checkpoint.json.enc';

export interface CheckpointEntry {
  seq: number;
  hash: string;
  // Records from this sequence number on must be keyed (before: plain records written before keyed chains).
  keyedFrom: number;
}

export interface Checkpoint {
  writtenAt: string;
  heads: Record<string, CheckpointEntry>;
}

export type CheckpointProblem =
  // The chain is shorter than the checkpoint saw it: records were removed and the head moved back.
  | { kind: 'checkpoint_ahead'; checkpointSeq: number; headSeq: number }
  // The record the checkpoint saw at this sequence number is not the one there now.
  | { kind: 'checkpoint_mismatch'; seq: number }
  | { kind: 'warrant_missing' };

export class ChainCheckpoints {
  constructor(private readonly deps: { repo: InterceptRepository; vault: EvidenceVault; clock: Clock; alerts: InterceptAlerts; log: Logger }) {}

  // The newest copy that opens and parses; undefined when there is none.
  async read(): Promise<Checkpoint | undefined> {
    let newest: Checkpoint | undefined;
    for (const copy of await this.deps.vault.readEach(CHECKPOINT_KEY)) {
      if (!copy.plain) continue;
      const parsed = parseCheckpoint(copy.plain);
      if (!parsed) {
        this.deps.alerts.evidenceProblem({ problem: 'chain_checkpoint_unreadable', location: copy.location });
        continue;
      }
      if (!newest || parsed.writtenAt > newest.writtenAt) newest = parsed;
    }
    return newest;
  }

  // How a warrant's chain now compares with what the checkpoint saw of it.
  async compare(warrantId: string, entry: CheckpointEntry): Promise<CheckpointProblem[]> {
    const chain = await this.deps.repo.chainOf(warrantId);
    if (!chain) return [{ kind: 'warrant_missing' }];
    if (chain.head.seq < entry.seq) return [{ kind: 'checkpoint_ahead', checkpointSeq: entry.seq, headSeq: chain.head.seq }];
    const mismatch: CheckpointProblem[] = [{ kind: 'checkpoint_mismatch', seq: entry.seq }];
    if (chain.head.seq === entry.seq) return chain.head.hash === entry.hash ? [] : mismatch;
    // Purged by retention since: only the anchor's own record can still be compared.
    if (entry.seq <= chain.start.seq) return entry.seq === chain.start.seq && chain.start.hash !== entry.hash ? mismatch : [];
    const [record] = await this.deps.repo.eventsOf(warrantId, { afterSeq: entry.seq - 1, limit: 1 });
    return record?.seq === entry.seq && record.hash === entry.hash ? [] : mismatch;
  }

  // Writes the heads the database has now. A chain that disagrees with the previous checkpoint
  // keeps its previous entry (and is alerted), so a rewrite never becomes the new reference.
  async write(): Promise<{ written: boolean; warrants: number; held: string[] }> {
    const { repo, vault, alerts, clock } = this.deps;
    const previous = await this.read();
    const heads: Record<string, CheckpointEntry> = {};
    const held: string[] = [];
    const current = await repo.chainHeads();
    const firstKeyed = new Map<string, number | undefined>();
    if (!previous) {
      for (const head of current) firstKeyed.set(head.warrantId, await repo.firstKeyedSeq(head.warrantId));
      // Keyed chains exist, so a checkpoint was written before: every copy is gone or unreadable.
      if ([...firstKeyed.values()].some((seq) => seq !== undefined)) alerts.evidenceProblem({ problem: 'chain_checkpoint_missing' });
    }
    for (const head of current) {
      const old = previous?.heads[head.warrantId];
      if (!old) {
        // Only the first checkpoint (the upgrade to keyed chains) accepts plain records, up to where
        // keyed ones start; a warrant first seen later must be keyed from its first record.
        const keyedFrom = previous ? 1 : (firstKeyed.get(head.warrantId) ?? head.seq + 1);
        heads[head.warrantId] = { seq: head.seq, hash: head.hash, keyedFrom };
      } else if (old.seq === head.seq && old.hash === head.hash) {
        heads[head.warrantId] = old;
      } else {
        const problems = await this.compare(head.warrantId, old);
        heads[head.warrantId] = problems.length === 0 ? { seq: head.seq, hash: head.hash, keyedFrom: old.keyedFrom } : old;
        if (problems.length > 0) held.push(head.warrantId);
      }
    }
    for (const [warrantId, old] of Object.entries(previous?.heads ?? {})) {
      if (heads[warrantId]) continue;
      heads[warrantId] = old;
      held.push(warrantId);
    }
    for (const warrantId of held) alerts.evidenceProblem({ problem: 'chain_disagrees_with_checkpoint', warrantId });
    const checkpoint: Checkpoint = { writtenAt: clock.now().toISOString(), heads };
    const result = await vault.putEverywhere(CHECKPOINT_KEY, Buffer.from(JSON.stringify(checkpoint)));
    if (result.stored.length === 0) {
      alerts.evidenceProblem({ problem: 'chain_checkpoint_not_written', failed: result.failed });
      return { written: false, warrants: current.length, held };
    }
    if (result.failed.length > 0) this.deps.log.warn('chain checkpoint not written everywhere', { failed: result.failed });
    return { written: true, warrants: current.length, held };
  }
}

function parseCheckpoint(plain: Buffer): Checkpoint | undefined {
  try {
    const value = JSON.parse(plain.toString('utf8')) as Checkpoint;
    return typeof value.writtenAt === 'string' && typeof value.heads === 'object' && value.heads !== null ? value : undefined;
  } catch {
    // Authentic (it opened) yet not JSON: reported by the caller as unreadable.
    return undefined;
  }
}
