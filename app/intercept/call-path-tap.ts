import { createHash } from 'node:crypto';
import { errorMessage } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type InterceptRepository, type TargetRole } from './model';
import { type ContentTap, type Identity } from './ports';
import { intercepts, matchesIdentity, type Warrant } from './warrant';

// The tap id of an intercept's first recording, derived from the call, the warrant and the
// target's side: the call path (at the answer) and the intercept consumer (when call.v1.answered
// reaches it) name the same snoop channels and recordings, so whichever comes second finds the
// tap running and adopts it instead of opening another (content-recorder.ts).
export function firstTapIdOf(callId: string, warrantId: string, role: TargetRole): string {
  const hex = createHash('sha256').update(`li-tap\0${callId}\0${warrantId}\0${role}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface AnsweredCall {
  callId: string;
  caller: Identity;
  callee?: Identity;
  channels: { caller: string; callee?: string };
  at: Date;
}

type CachedWarrant = Pick<Warrant, 'id' | 'targets' | 'content' | 'status' | 'validFrom' | 'validUntil'>;

// Content taps started by the call path itself, at the switch's answer: the intercept consumer
// acts only once call.v1.answered has crossed NATS and its records are in PostgreSQL, so an outage
// of either would lose the start of (or the whole) recording. The warrants are read from a cache
// (refreshed on a timer; kept as they were while PostgreSQL is down), the tap is the switch's own
// recording (Asterisk writes the files, whatever happens to the controller), and nothing here is
// awaited by the call: a failure is logged and the consumer's start stays the fallback.
export class CallPathTap {
  private warrants: CachedWarrant[] = [];

  constructor(private readonly deps: { repo: Pick<InterceptRepository, 'listWarrants'>; tap: ContentTap; log: Logger }) {}

  // Warrants with content, read again (on a timer). While they cannot be read (PostgreSQL down),
  // the cached ones stay, and the failure goes to the intercept log, not the application's.
  async refresh(): Promise<void> {
    try {
      this.warrants = (await this.deps.repo.listWarrants()).filter((warrant) => warrant.content && warrant.status === 'active');
    } catch (error) {
      this.deps.log.warn('warrants for the call path not read: the cached ones stay', { cached: this.warrants.length, error: errorMessage(error) });
    }
  }

  // Never throws and never waits on anything but the switch.
  answered(call: AnsweredCall): Promise<void> {
    const starts: Array<Promise<void>> = [];
    for (const warrant of this.warrants) {
      if (!intercepts(warrant, call.at)) continue;
      for (const role of ['caller', 'callee'] as const) {
        const channelId = call.channels[role];
        if (channelId && matchesIdentity(warrant.targets, call[role])) starts.push(this.start(call.callId, warrant.id, role, channelId));
      }
    }
    return Promise.all(starts).then(() => undefined);
  }

  private async start(callId: string, warrantId: string, role: TargetRole, channelId: string): Promise<void> {
    const log = this.deps.log.child({ callId, warrantId, targetRole: role });
    try {
      await this.deps.tap.start(channelId, firstTapIdOf(callId, warrantId, role));
      log.info('intercept tap started by the call path at the answer');
    } catch (error) {
      // The consumer opened it first (the same names), or the switch refused: the consumer's start
      // (and its retries) remain.
      log.warn('intercept tap not started by the call path: left to the intercept consumer', { error: errorMessage(error) });
    }
  }
}
