import { randomUUID } from 'node:crypto';
import { type Clock, errorMessage } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type ContentState, type Intercept, type InterceptRepository } from './model';
import { firstTapIdOf } from './call-path-tap';
import { type ContentTap, type InterceptAlerts, type Tap } from './ports';

// Names of a tap's two snoop channels and recordings, derived from a tap id noted with the
// recording before the tap opens, so that a crash in between leaves nothing that cannot be found
// again. The tap id is random and the names neutral: the switch, and the application log that
// mentions channels it does not know, see ids like any other, never a recording or warrant id.
export function tapOf(tapId: string): Tap {
  return { inChannelId: `${tapId}-i`, outChannelId: `${tapId}-o`, nameIn: `${tapId}-i`, nameOut: `${tapId}-o` };
}

// How long a failed first start waits for the call path's start of the same tap to be recording.
const ADOPT_WAIT_MS = 2_000;

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
  // How long a failed first start waits for the call path's start of the same tap (default 2 s).
  adoptWaitMs?: number;
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
    // The first segment's names are the ones the call path used if it tapped at the answer.
    const tapId = segment === 1 ? firstTapIdOf(intercept.callId, intercept.warrantId, intercept.targetRole) : randomUUID();
    const tap = tapOf(tapId);
    const adopted = segment === 1 && (await this.running(tap, 0));
    const startedAt = adopted ? (intercept.answeredAt ?? clock.now()) : clock.now();
    await repo.createRecording({ id: recordingId, interceptId: intercept.id, warrantId: intercept.warrantId, callId: intercept.callId, segment, tap, state: 'recording', startedAt });
    try {
      if (!adopted) await this.deps.tap.start(channelId, tapId);
    } catch (error) {
      // The call path's start of the same tap may be under way (its recording not begun yet).
      if (segment === 1 && (await this.running(tap, this.deps.adoptWaitMs ?? ADOPT_WAIT_MS))) return this.started(intercept, channelId, recordingId, segment, startedAt, true);
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
    await this.started(intercept, channelId, recordingId, segment, startedAt, adopted);
    log.info('intercept content started', { recordingId, segment, adopted });
  }

  private async started(intercept: Intercept, channelId: string, recordingId: string, segment: number, startedAt: Date, adopted: boolean): Promise<void> {
    await this.deps.repo.updateIntercept(intercept.id, { contentState: 'active', targetChannelId: channelId, contentError: null, nextAttemptAt: null });
    await this.appendStarted(intercept, recordingId, segment, startedAt, adopted ? { startedBy: 'call path' } : {});
  }

  // The chain's record that a recording of the intercept started (once per recording: its dedupe key).
  private async appendStarted(intercept: Intercept, recordingId: string, segment: number, startedAt: Date, origin: Record<string, unknown>): Promise<void> {
    await this.deps.repo.appendEvent(intercept.warrantId, {
      dedupeKey: `${recordingId}:started`,
      kind: 'content.started',
      interceptId: intercept.id,
      callId: intercept.callId,
      occurredAt: startedAt,
      payload: { correlationId: intercept.id, recordingId, segment, targetRole: intercept.targetRole, ...origin },
    });
  }

  // A call already over when its intercept's content was wanted (its events were held up by a
  // NATS or PostgreSQL outage): the recording the call path started at its answer, if the switch
  // has it, becomes the intercept's first segment, ended, for the collector. false: none there.
  async adoptFinished(intercept: Intercept): Promise<boolean> {
    const { repo, clock } = this.deps;
    const now = clock.now();
    if ((await repo.recordingsOfIntercept(intercept.id)).length > 0) return false;
    const tap = tapOf(firstTapIdOf(intercept.callId, intercept.warrantId, intercept.targetRole));
    // A switch that cannot say is treated as having none (the intercept then starts or fails as usual), but said.
    const media = await Promise.all([this.deps.tap.fetch(tap.nameIn), this.deps.tap.fetch(tap.nameOut)]).catch((error: unknown) => {
      this.deps.log.warn('recording of a finished call not fetched from the switch', { interceptId: intercept.id, error: errorMessage(error) });
      return undefined;
    });
    if (!media || media.every((m) => m.state === 'gone')) return false;
    if (!(await repo.claimContentStart(intercept.id, ['wanted', 'failed'], now, new Date(now.getTime() + START_CLAIM_MS)))) return false;
    const recordingId = randomUUID();
    const startedAt = intercept.answeredAt ?? now;
    await repo.createRecording({ id: recordingId, interceptId: intercept.id, warrantId: intercept.warrantId, callId: intercept.callId, segment: 1, tap, state: 'ended', startedAt, endedAt: now });
    await repo.updateIntercept(intercept.id, { contentState: 'stopped', contentError: null, nextAttemptAt: null });
    await this.appendStarted(intercept, recordingId, 1, startedAt, { startedBy: 'call path', callOver: true });
    this.deps.log.child({ warrantId: intercept.warrantId, callId: intercept.callId, interceptId: intercept.id }).info('intercept recording of a finished call adopted', { recordingId });
    this.deps.onRecordingEnded();
    return true;
  }

  // Whether the tap's recordings are being written on the switch, waiting up to waitMs for them.
  private async running(tap: Tap, waitMs: number): Promise<boolean> {
    const until = Date.now() + waitMs;
    for (;;) {
      // A live recording's file may already be served as stored (what is written so far): ask
      // the switch's live recordings, not fetch().
      const live = await this.deps.tap.isLive(tap.nameIn).catch((error: unknown) => {
        this.deps.log.warn('switch not asked whether a recording is live; taken as not yet', { recording: tap.nameIn, error: errorMessage(error) });
        return false;
      });
      if (live) return true;
      if (Date.now() >= until) return false;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
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
