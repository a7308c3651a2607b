import { type Clock } from '../shared/kernel';
import { errorMessage } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type EvidenceVault } from './evidence-vault';
import { type InterceptRepository } from './model';

const DAY_MS = 24 * 60 * 60 * 1000;

// Deletes evidence past its retention (10 years by default) and records each deletion: a
// recording's copies go and its row and chain get a "recording.purged" record; old chain records
// go with their hash kept as the chain's new starting point (li_chain_anchors).
export class RetentionJob {
  constructor(private readonly deps: { repo: InterceptRepository; vault: EvidenceVault; clock: Clock; log: Logger; retentionDays: number }) {}

  async run(): Promise<{ recordingsPurged: number; recordsPurged: number }> {
    const { repo, vault, clock } = this.deps;
    const now = clock.now();
    let recordingsPurged = 0;
    for (;;) {
      const due = await repo.recordingsPastRetention(now, 100);
      if (due.length === 0) break;
      for (const recording of due) {
        try {
          if (recording.objectKey) await vault.remove(recording.objectKey);
        } catch (error) {
          this.deps.log.error('deleting an expired intercept recording failed', { recordingId: recording.id, error: errorMessage(error) });
          return { recordingsPurged, recordsPurged: 0 };
        }
        await repo.appendEvent(recording.warrantId, {
          dedupeKey: `${recording.id}:purged`,
          kind: 'recording.purged',
          interceptId: recording.interceptId,
          callId: recording.callId,
          occurredAt: now,
          payload: { recordingId: recording.id, sha256: recording.sha256, retainUntil: recording.retainUntil?.toISOString(), reason: 'retention_expired' },
        });
        await repo.updateRecording(recording.id, { state: 'purged', purgedAt: now });
        recordingsPurged += 1;
      }
    }
    const cutoff = new Date(now.getTime() - this.deps.retentionDays * DAY_MS);
    let recordsPurged = 0;
    for (const warrantId of await repo.allWarrantIds()) {
      const { purged } = await repo.purgeEventsBefore(warrantId, cutoff, {
        kind: 'records.purged',
        occurredAt: now,
        payload: { before: cutoff.toISOString(), reason: 'retention_expired' },
      });
      recordsPurged += purged;
    }
    if (recordingsPurged + recordsPurged > 0) this.deps.log.info('intercept evidence past retention deleted', { recordingsPurged, recordsPurged });
    return { recordingsPurged, recordsPurged };
  }
}
