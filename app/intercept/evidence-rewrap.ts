import { errorMessage } from '../shared/kernel';
import { type Clock } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type EvidenceVault, sha256Hex } from './evidence-vault';
import { type InterceptRepository } from './model';
import { objectKeyOf } from './object-keys';

const PAGE = 100;

export interface RewrapReport {
  checked: number;
  rewrapped: number;
  // Recordings left on an old key this time (a location down, no intact copy): tried again next run.
  failed: { recordingId: string; error: string }[];
}

// Moves every stored recording sealed with an older evidence key to the current key (after a
// rotation), so that the old key can later leave the ring. The new copies go under a new object
// name in every location; only once all of them are there does the row point at them (with a
// `recording.rewrapped` record in the chain, in the same transaction), and only then are the old
// copies deleted. A crash in between leaves old or new copies unreferenced, never a row without them.
export class EvidenceRewrap {
  constructor(private readonly deps: { repo: InterceptRepository; vault: EvidenceVault; clock: Clock; log: Logger }) {}

  async run(): Promise<RewrapReport> {
    const { repo, vault, clock } = this.deps;
    const report: RewrapReport = { checked: 0, rewrapped: 0, failed: [] };
    const current = vault.currentKeyId;
    let afterId: string | undefined;
    for (;;) {
      const page = await repo.storedRecordings(afterId, PAGE);
      if (page.length === 0) break;
      afterId = page[page.length - 1]?.id;
      for (const recording of page) {
        report.checked += 1;
        if (!recording.objectKey || !recording.objectSha256 || !recording.sha256) continue;
        try {
          const sealed = await vault.readSealed(recording.objectKey, recording.objectSha256);
          const keyId = vault.keyIdOf(sealed);
          if (keyId === current) continue;
          const plain = vault.open(sealed, recording.objectKey);
          if (sha256Hex(plain) !== recording.sha256) throw new Error('the intact copy does not hold the recorded content');
          const objectKey = objectKeyOf(recording, current);
          const put = await vault.putEverywhere(objectKey, plain);
          if (put.failed.length > 0) throw new Error(`not every location took the new copy: ${put.failed.map((f) => `${f.location}: ${f.error}`).join('; ')}`);
          await repo.updateRecording(
            recording.id,
            { objectKey, objectSha256: put.objectSha256 },
            {
              dedupeKey: `${recording.id}:rewrapped:${current}`,
              kind: 'recording.rewrapped',
              interceptId: recording.interceptId,
              callId: recording.callId,
              occurredAt: clock.now(),
              payload: { recordingId: recording.id, objectKey, objectSha256: put.objectSha256, keyId: current, previousKeyId: keyId, previousObjectSha256: recording.objectSha256 },
            },
          );
          await vault.remove(recording.objectKey);
          report.rewrapped += 1;
        } catch (error) {
          report.failed.push({ recordingId: recording.id, error: errorMessage(error) });
          this.deps.log.warn('intercept recording not re-wrapped, will retry', { recordingId: recording.id, warrantId: recording.warrantId, error: errorMessage(error) });
        }
      }
    }
    if (report.rewrapped > 0) this.deps.log.info('intercept recordings re-wrapped under the current key', { rewrapped: report.rewrapped, keyId: current });
    return report;
  }
}
