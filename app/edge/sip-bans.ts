import { isIP } from 'node:net';
import { errorMessage, ValidationError } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type EdgeGuard, type FailureCount, type SipBan, type StoredBans } from './ports';

export interface SipBansView {
  bans: SipBan[];
  // Failed authentications in the current window: by source (not yet banned) and by username
  // (usernames are never banned: anyone could lock a user out by failing in that name).
  failuresBySource: FailureCount[];
  failuresByUsername: FailureCount[];
  // false when the edge could not hand the counts over (under a wide attack a table of failures
  // can outgrow one RPC answer): the bans are listed all the same.
  countsAvailable: boolean;
}

// What operators do with the edge's bans (GET/DELETE /v1/sip-bans).
export class SipBans {
  constructor(
    private readonly guard: EdgeGuard,
    private readonly log: Logger,
    private readonly onLifted: () => void = () => undefined,
    private readonly stored?: StoredBans,
  ) {}

  async view(): Promise<SipBansView> {
    const [bans, counts] = await Promise.all([this.guard.listBans(), Promise.allSettled([this.guard.failuresBySource(), this.guard.failuresByUsername()])]);
    const [bySource, byUsername] = counts;
    if (bySource.status === 'fulfilled' && byUsername.status === 'fulfilled') return { bans, failuresBySource: bySource.value, failuresByUsername: byUsername.value, countsAvailable: true };
    const failed = counts.find((count) => count.status === 'rejected');
    this.log.warn('edge failure counts not read', { error: errorMessage(failed?.reason) });
    return { bans, failuresBySource: [], failuresByUsername: [], countsAvailable: false };
  }

  // Lifts the ban of one address now; `by` names the operator (for the log; the route audits too).
  async lift(address: string, by: string): Promise<void> {
    if (isIP(address) === 0) throw new ValidationError('not an IP address', { address });
    await this.guard.liftBan(address);
    // Lifted at the edge whatever happens here: a row left behind only comes back at the edge's
    // next start, until the ban's own end.
    await this.stored?.forget(address).catch((error: unknown) => this.log.warn('lifted sip ban not removed from the edge\'s stored bans', { address, error: errorMessage(error) }));
    this.onLifted();
    this.log.info('sip ban lifted', { address, by });
  }
}
