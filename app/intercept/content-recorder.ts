import { randomUUID } from 'node:crypto';
import { type Clock } from '../shared/kernel';
import { errorMessage } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type ContentState, type Intercept, type InterceptRepository } from './model';
import { type ContentTap, type InterceptAlerts, type Tap } from './ports';

// Names of a tap's two snoop channels and recordings, derived from a tap id noted with the
// recording before the tap opens, so that a crash in between leaves nothing that cannot be found
// again. The tap id is random and the names neutral: the switch, and the application log that
// mentions channels it does not know, see ids like any other, never a recording or warrant id.
export function tapOf(tapId: string): Tap {
  return { inChannelId: `${tapId}-i`, outChannelId: `${tapId}-o`, nameIn: `${tapId}-i`, nameOut: `${tapId}-o` };
}

// A start not finished in this time (its worker crashed) is taken over by the retry job.
const START_CLAIM_MS = 30_000;

// Retry delays after a failed content start: 2 s, 4 s, 8 s ... capped at 30 s.
export const retryDelayMs = (attempt: number): number => Math.min(2000 * 2 ** Math.max(0, attempt - 1), 30_000);

export interface ContentRecorderDeps {
  repo: InterceptRepository;
  tap: ContentTap;
  alerts: InterceptAlerts;
  clock: Clock;
  log: Logger;
  // Something changed for the collector (a recording ended).
  onRecordingEnded: () => void;
}

// Opens and closes the media taps (content) of intercepts. A failure never touches the call: it
// becomes an intercept record and an operator alert, and the start is retried while the call lasts.
export class ContentRecorder {
  constructor(private readonly deps: ContentRecorderDeps) {}

  // `takeOver`: the retry job may also take over a start abandoned by a crashed worker.
  async start(intercept: Intercept, channelId: string, takeOver = false): Promise<void> {
    const { repo, clock } = this.deps;
    const now = clock.now();
    const from: ContentState[] = takeOver ? ['wanted', 'failed', 'starting'] : ['wanted', 'failed'];
    if (!(await repo.claimContentStart(intercept.id, from, now, new Date(now.getTime() + START_CLAIM_MS)))) return;
    const log = this.deps.log.child({ warrantId: intercept.warrantId, callId: intercept.callId, interceptId: intercept.id });
    const segment = (await repo.recordingsOfIntercept(intercept.id)).length + 1;
    const recordingId = randomUUID();
    const tapId = randomUUID();
    const tap = tapOf(tapId);
    const startedAt = clock.now();
    await repo.createRecording({ id: recordingId, interceptId: intercept.id, warrantId: intercept.warrantId, callId: intercept.callId, segment, tap, state: 'recording', startedAt });
    try {
      await this.deps.tap.start(channelId, tapId);
    } catch (error) {
      const attempt = intercept.contentAttempts + 1;
      const message = errorMessage(error);
      await repo.updateRecording(recordingId, { state: 'failed', endedAt: clock.now(), lastError: message });
      await repo.updateIntercept(intercept.id, { contentState: 'failed', contentAttempts: attempt, contentError: message, nextAttemptAt: new Date(clock.now().getTime() + retryDelayMs(attempt)) });
      await repo.appendEvent(intercept.warrantId, {
        dedupeKey: `${recordingId}:failed`,
        kind: 'content.failed',
        interceptId: intercept.id,
        callId: intercept.callId,
        occurredAt: clock.now(),
        payload: { correlationId: intercept.id, recordingId, attempt, error: message, retryInMs: retryDelayMs(attempt) },
      });
      this.deps.alerts.contentFailed({ warrantId: intercept.warrantId, callId: intercept.callId, interceptId: intercept.id, error: message, attempt });
      return;
    }
    await repo.updateIntercept(intercept.id, { contentState: 'active', targetChannelId: channelId, contentError: null, nextAttemptAt: null });
    await repo.appendEvent(intercept.warrantId, {
      dedupeKey: `${recordingId}:started`,
      kind: 'content.started',
      interceptId: intercept.id,
      callId: intercept.callId,
      occurredAt: startedAt,
      payload: { correlationId: intercept.id, recordingId, segment, targetRole: intercept.targetRole },
    });
    log.info('intercept content started', { recordingId, segment });
  }

  // Stops every recording of the intercept still running; `reason` goes into the record.
  async stop(intercept: Intercept, reason: string): Promise<void> {
    const { repo, clock } = this.deps;
    const running = (await repo.recordingsOfIntercept(intercept.id)).filter((recording) => recording.state === 'recording');
    for (const recording of running) {
      try {
        await this.deps.tap.stop(recording.tap);
      } catch (error) {
        // The collector finds the recording again and stops it then.
        this.deps.log.warn('closing an intercept tap failed', { recordingId: recording.id, error: errorMessage(error) });
      }
      await repo.updateRecording(recording.id, { state: 'ended', endedAt: clock.now() });
      await repo.appendEvent(intercept.warrantId, {
        dedupeKey: `${recording.id}:stopped`,
        kind: 'content.stopped',
        interceptId: intercept.id,
        callId: intercept.callId,
        occurredAt: clock.now(),
        payload: { correlationId: intercept.id, recordingId: recording.id, reason },
      });
    }
    if (intercept.contentState !== 'none') await repo.updateIntercept(intercept.id, { contentState: 'stopped' });
    if (running.length > 0) this.deps.onRecordingEnded();
  }
}
