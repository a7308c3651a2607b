import { type Clock } from '../shared/kernel';
import { errorMessage } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type EvidenceVault, sha256Hex } from './evidence-vault';
import { type InterceptRepository, type Recording } from './model';
import { objectKeyOf } from './object-keys';
import { type ContentTap, type InterceptAlerts, type StoredMedia } from './ports';
import { durationMs, encodeWav, mergeToStereo, parseWav, type PcmAudio } from './wav';

const DAY_MS = 24 * 60 * 60 * 1000;
// A claim not finished in this time (crash) is taken over by the next run.
const CLAIM_STALE_MS = 5 * 60 * 1000;
// How long a recording may still be "live" on the switch after its call ended before it is stopped.
const LIVE_GRACE_MS = 10_000;
// A recording whose collection was put off (still live, storage failing) is tried again after this.
const RETRY_MS = 1000;
// Attempts before an operator is alerted (collection keeps being retried).
const ALERT_AFTER_ATTEMPTS = 3;


const silence = (sampleRate: number): PcmAudio => ({ sampleRate, channels: 1, bitsPerSample: 16, data: Buffer.alloc(0) });

// Moves finished recordings off the switch (over ARI: no shared filesystem) into evidence storage:
// the two directions become one stereo WAV, stored encrypted in every location, hashed, and
// recorded in the warrant's chain. Only then is the switch's file deleted.
export class RecordingCollector {
  private running: Promise<void> | undefined;

  constructor(
    private readonly deps: { repo: InterceptRepository; tap: ContentTap; vault: EvidenceVault; alerts: InterceptAlerts; clock: Clock; log: Logger; retentionDays: number },
  ) {}

  // Collects everything due; concurrent calls share one run.
  collectDue(): Promise<void> {
    this.running ??= this.run().finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(): Promise<void> {
    const { repo, clock } = this.deps;
    const seen = new Set<string>();
    for (;;) {
      const now = clock.now();
      const recording = await repo.claimRecordingToCollect(now, new Date(now.getTime() - RETRY_MS), new Date(now.getTime() - CLAIM_STALE_MS));
      if (!recording) return;
      if (seen.has(recording.id)) {
        await repo.updateRecording(recording.id, { state: 'ended', claimedAt: now });
        return;
      }
      seen.add(recording.id);
      await this.collect(recording);
    }
  }

  async collect(recording: Recording): Promise<void> {
    const { repo, tap, clock } = this.deps;
    const log = this.deps.log.child({ recordingId: recording.id, warrantId: recording.warrantId, callId: recording.callId });
    try {
      const [inMedia, outMedia] = await Promise.all([tap.fetch(recording.tap.nameIn), tap.fetch(recording.tap.nameOut)]);
      if (inMedia.state === 'live' || outMedia.state === 'live') {
        const endedAgo = clock.now().getTime() - (recording.endedAt ?? clock.now()).getTime();
        if (endedAgo > LIVE_GRACE_MS) await tap.stop(recording.tap);
        await repo.updateRecording(recording.id, { state: 'ended', claimedAt: clock.now() });
        return;
      }
      if (inMedia.state === 'gone' && outMedia.state === 'gone') {
        await this.lost(recording, 'the switch has no file for either direction');
        return;
      }
      const wav = this.merge(inMedia, outMedia);
      const sha256 = sha256Hex(wav.file);
      const objectKey = objectKeyOf(recording);
      const stored = await this.deps.vault.store(objectKey, wav.file);
      const storedAt = clock.now();
      const endedAt = recording.endedAt ?? storedAt;
      const retainUntil = new Date(endedAt.getTime() + this.deps.retentionDays * DAY_MS);
      // The row and its chain record commit together (a retried collection re-seals the object).
      await repo.updateRecording(
        recording.id,
        { state: 'stored', sha256, objectSha256: stored.objectSha256, objectKey, sizeBytes: wav.file.length, durationMs: wav.durationMs, copies: stored.copies, storedAt, endedAt, retainUntil },
        {
          dedupeKey: `${recording.id}:stored`,
          kind: 'recording.stored',
          interceptId: recording.interceptId,
          callId: recording.callId,
          occurredAt: storedAt,
          payload: {
            correlationId: recording.interceptId,
            recordingId: recording.id,
            segment: recording.segment,
            sha256,
            objectSha256: stored.objectSha256,
            objectKey,
            sizeBytes: wav.file.length,
            durationMs: wav.durationMs,
            copies: stored.copies,
            channels: { left: 'from target', right: 'to target' },
            ...(wav.missing.length > 0 ? { missingDirections: wav.missing } : {}),
            startedAt: recording.startedAt.toISOString(),
            endedAt: endedAt.toISOString(),
            retainUntil: retainUntil.toISOString(),
          },
        },
      );
      await Promise.all([tap.discard(recording.tap.nameIn), tap.discard(recording.tap.nameOut)]).catch((error: unknown) =>
        log.warn('removing a collected recording from the switch failed', { error: errorMessage(error) }),
      );
      log.info('intercept recording stored', { sha256, sizeBytes: wav.file.length, durationMs: wav.durationMs, copies: stored.copies });
    } catch (error) {
      const attempts = recording.attempts + 1;
      await repo.updateRecording(recording.id, { state: 'ended', claimedAt: clock.now(), attempts, lastError: errorMessage(error) });
      const fields = { recordingId: recording.id, warrantId: recording.warrantId, attempts, error: errorMessage(error) };
      if (attempts >= ALERT_AFTER_ATTEMPTS) {
        this.deps.alerts.evidenceProblem({ problem: 'recording_not_collected', ...fields });
      } else {
        log.warn('collecting an intercept recording failed, will retry', fields);
      }
    }
  }

  private merge(inMedia: StoredMedia, outMedia: StoredMedia): { file: Buffer; durationMs: number; missing: string[] } {
    const missing: string[] = [];
    const audio = (media: StoredMedia, direction: string): PcmAudio | undefined => {
      if (media.state === 'stored') return parseWav(media.wav);
      missing.push(direction);
      return undefined;
    };
    const left = audio(inMedia, 'from target');
    const right = audio(outMedia, 'to target');
    const rate = (left ?? right)?.sampleRate ?? 8000;
    const stereo = mergeToStereo(left ?? silence(rate), right ?? silence(rate));
    return { file: encodeWav(stereo), durationMs: durationMs(stereo), missing };
  }

  private async lost(recording: Recording, reason: string): Promise<void> {
    await this.deps.repo.updateRecording(recording.id, { state: 'failed', lastError: reason });
    await this.deps.repo.appendEvent(recording.warrantId, {
      dedupeKey: `${recording.id}:lost`,
      kind: 'content.lost',
      interceptId: recording.interceptId,
      callId: recording.callId,
      occurredAt: this.deps.clock.now(),
      payload: { correlationId: recording.interceptId, recordingId: recording.id, reason },
    });
    this.deps.alerts.evidenceProblem({ problem: 'recording_lost', recordingId: recording.id, warrantId: recording.warrantId, reason });
  }
}
