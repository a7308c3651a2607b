import { type Clock } from '../shared/kernel';
import { errorMessage } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type EvidenceVault, type PutResult, sha256Hex } from './evidence-vault';
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
// Copies missing (a location was down) are tried again this often.
const COPY_RETRY_MS = 10_000;

const silence = (sampleRate: number): PcmAudio => ({ sampleRate, channels: 1, bitsPerSample: 16, data: Buffer.alloc(0) });

// Moves finished recordings off the switch (over ARI: no shared filesystem) into evidence storage:
// the two directions become one stereo WAV, sealed (encrypted) once before any copy is written,
// stored in every location that takes it, hashed, and recorded in the warrant's chain. A location
// down does not hold the others up: the recording is stored with the copies there are, the
// failure is in the chain and alerted, and the missing copies are written once the location is
// back. The switch's files are deleted only when every location has its copy.
export class RecordingCollector {
  private running: Promise<void> | undefined;

  constructor(
    private readonly deps: { repo: InterceptRepository; tap: ContentTap; vault: EvidenceVault; alerts: InterceptAlerts; clock: Clock; log: Logger; retentionDays: number },
  ) {}

  // Collects everything due, then completes missing copies; concurrent calls share one run.
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
      if (!recording) break;
      if (seen.has(recording.id)) {
        await repo.updateRecording(recording.id, { state: 'ended', claimedAt: now });
        break;
      }
      seen.add(recording.id);
      await this.collect(recording);
    }
    for (;;) {
      const now = clock.now();
      const recording = await repo.claimRecordingToComplete(now, new Date(now.getTime() - COPY_RETRY_MS));
      if (!recording || seen.has(recording.id)) return;
      seen.add(recording.id);
      await this.completeCopies(recording);
    }
  }

  async collect(recording: Recording): Promise<void> {
    const { repo, tap, clock } = this.deps;
    const log = this.deps.log.child({ recordingId: recording.id, warrantId: recording.warrantId, callId: recording.callId });
    let storageFailed = false;
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
      const put = await this.deps.vault.putEverywhere(objectKey, wav.file);
      storageFailed = put.failed.length > 0;
      if (storageFailed) await this.storeFailed(recording, put);
      if (put.stored.length === 0) throw new Error(`no evidence location took the recording: ${put.failed.map((f) => `${f.location}: ${f.error}`).join('; ')}`);
      const storedAt = clock.now();
      const endedAt = recording.endedAt ?? storedAt;
      const retainUntil = new Date(endedAt.getTime() + this.deps.retentionDays * DAY_MS);
      const missingLocations = put.failed.map((f) => f.location);
      const copies = put.stored.length;
      // The row and its chain record commit together (a retried collection re-seals the object).
      await repo.updateRecording(
        recording.id,
        { state: 'stored', sha256, objectSha256: put.objectSha256, objectKey, sizeBytes: wav.file.length, durationMs: wav.durationMs, copies, missingLocations, spoolKept: missingLocations.length > 0, storedAt, endedAt, retainUntil },
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
            objectSha256: put.objectSha256,
            objectKey,
            sizeBytes: wav.file.length,
            durationMs: wav.durationMs,
            copies,
            ...(missingLocations.length > 0 ? { missingLocations } : {}),
            channels: { left: 'from target', right: 'to target' },
            ...(wav.missing.length > 0 ? { missingDirections: wav.missing } : {}),
            startedAt: recording.startedAt.toISOString(),
            endedAt: endedAt.toISOString(),
            retainUntil: retainUntil.toISOString(),
          },
        },
      );
      if (missingLocations.length === 0) await this.discardSpool(recording, log);
      log.info('intercept recording stored', { sha256, sizeBytes: wav.file.length, durationMs: wav.durationMs, copies, missingLocations });
    } catch (error) {
      const attempts = recording.attempts + 1;
      await repo.updateRecording(recording.id, { state: 'ended', claimedAt: clock.now(), attempts, lastError: errorMessage(error) });
      // A storage failure is in the chain already; another (the switch not answering) goes there now.
      if (!storageFailed) await this.storeFailed(recording, { stored: [], failed: [{ location: 'collection', error: errorMessage(error) }] });
      log.warn('collecting an intercept recording failed, will retry', { attempts, error: errorMessage(error) });
    }
  }

  // Writes the copies a location missed (from an intact one); once all are there, records it and
  // deletes the switch's files.
  async completeCopies(recording: Recording): Promise<void> {
    const { repo, vault, clock } = this.deps;
    const log = this.deps.log.child({ recordingId: recording.id, warrantId: recording.warrantId, callId: recording.callId });
    if (!recording.objectKey || !recording.objectSha256 || !recording.sha256) return;
    try {
      const check = await vault.verifyAndRepair(recording.objectKey, recording.objectSha256, recording.sha256);
      const intact = check.copies.filter((copy) => copy.status === 'ok' || copy.status === 'repaired');
      const missing = check.copies.filter((copy) => !intact.includes(copy)).map((copy) => copy.location);
      if (missing.length > 0) {
        await repo.updateRecording(recording.id, { copies: intact.length, missingLocations: missing });
        return;
      }
      await repo.updateRecording(
        recording.id,
        { copies: intact.length, missingLocations: [], spoolKept: false },
        {
          dedupeKey: `${recording.id}:copies-completed`,
          kind: 'recording.copies_completed',
          interceptId: recording.interceptId,
          callId: recording.callId,
          occurredAt: clock.now(),
          payload: { recordingId: recording.id, copies: intact.length, written: check.copies.filter((copy) => copy.status === 'repaired').map((copy) => copy.location) },
        },
      );
      await this.discardSpool(recording, log);
      log.info('intercept recording copies completed', { copies: intact.length });
    } catch (error) {
      log.warn('completing the copies of an intercept recording failed, will retry', { error: errorMessage(error) });
    }
  }

  private async discardSpool(recording: Recording, log: Logger): Promise<void> {
    const { tap } = this.deps;
    await Promise.all([tap.discard(recording.tap.nameIn), tap.discard(recording.tap.nameOut)]).catch((error: unknown) =>
      log.warn('removing a collected recording from the switch failed', { error: errorMessage(error) }),
    );
  }

  // The first failure to move a recording into evidence storage: a chain record and an alert
  // (retries, every second while storage is down, add neither).
  private async storeFailed(recording: Recording, put: Pick<PutResult, 'stored' | 'failed'>): Promise<void> {
    const appended = await this.deps.repo.appendEvent(recording.warrantId, {
      dedupeKey: `${recording.id}:store_failed`,
      kind: 'content.store_failed',
      interceptId: recording.interceptId,
      callId: recording.callId,
      occurredAt: this.deps.clock.now(),
      payload: { correlationId: recording.interceptId, recordingId: recording.id, failed: put.failed, stored: put.stored.length, retried: true },
    });
    if (appended) this.deps.alerts.evidenceProblem({ problem: 'evidence_not_stored', recordingId: recording.id, warrantId: recording.warrantId, failed: put.failed, stored: put.stored.length });
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
