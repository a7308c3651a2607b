import { type ChainedRecord } from './hash-chain';
import { type Identity, type Tap, type WarrantTarget } from './ports';
import { type Warrant } from './warrant';

export type TargetRole = 'caller' | 'callee';
export type InterceptState = 'begun' | 'answered' | 'ended';
// none: events only. wanted: content to be recorded once answered. starting: a tap is being opened.
export type ContentState = 'none' | 'wanted' | 'starting' | 'active' | 'failed' | 'stopped';
export type RecordingState = 'recording' | 'ended' | 'collecting' | 'stored' | 'failed' | 'purged';

// One intercepted call of one warrant. Its id is the correlation id of every record about it.
export interface Intercept {
  id: string;
  warrantId: string;
  callId: string;
  targetRole: TargetRole;
  targetChannelId?: string;
  state: InterceptState;
  contentState: ContentState;
  contentAttempts: number;
  contentError?: string;
  nextAttemptAt?: Date;
  begunAt: Date;
  answeredAt?: Date;
  endedAt?: Date;
}

export interface Recording {
  id: string;
  interceptId: string;
  warrantId: string;
  callId: string;
  segment: number;
  tap: Tap;
  state: RecordingState;
  attempts: number;
  lastError?: string;
  startedAt: Date;
  endedAt?: Date;
  durationMs?: number;
  sizeBytes?: number;
  sha256?: string;
  objectSha256?: string;
  objectKey?: string;
  copies: number;
  // Locations that have not taken their copy yet (down when it was stored).
  missingLocations: string[];
  // The switch still holds the recording's files (until every location has its copy).
  spoolKept: boolean;
  storedAt?: Date;
  retainUntil?: Date;
  purgedAt?: Date;
}

export interface Agency {
  id: string;
  name: string;
  createdAt: Date;
}

export interface NewEvent {
  dedupeKey: string;
  kind: string;
  interceptId?: string;
  callId?: string;
  occurredAt: Date;
  payload: Record<string, unknown>;
}

export interface AuditEntry {
  // intercept_admin: INTERCEPT_ADMIN_TOKEN; admin: the admin API's ADMIN_TOKEN (always refused).
  principalType: 'intercept_admin' | 'agency' | 'admin' | 'anonymous';
  principalId?: string;
  action: string;
  warrantId?: string;
  recordingId?: string;
  outcome: 'allowed' | 'denied' | 'not_found' | 'invalid';
  status: number;
  remoteAddress?: string;
}

// null clears a field.
export type InterceptChanges = Partial<Omit<Intercept, 'id' | 'warrantId' | 'callId' | 'contentError' | 'nextAttemptAt' | 'endedAt'>> & {
  endedAt?: Date | null;
  contentError?: string | null;
  nextAttemptAt?: Date | null;
};

export interface ChainHead {
  seq: number;
  hash: string;
}

export type RecordingChanges = Partial<Omit<Recording, 'id' | 'tap' | 'claimedAt'>> & { claimedAt?: Date | null };

export interface WarrantChanges {
  targets?: WarrantTarget[];
  content?: boolean;
  validFrom?: Date;
  validUntil?: Date;
}

// The reads of every call event, of every call, intercepted or not: the intercept consumer's share
// of the call path (plain SQL in production: pg-call-intercepts.ts).
export interface CallInterceptReads {
  // Active warrants naming this identity whose window contains `at`.
  warrantsTargeting(identity: Identity, at: Date): Promise<Warrant[]>;
  interceptsOfCall(callId: string): Promise<Intercept[]>;
}

// Persistence of the intercept module (PostgreSQL in production: prisma-intercept-repository.ts).
export interface InterceptRepository extends CallInterceptReads {
  createAgency(name: string, tokenHash: string): Promise<Agency>;
  agencyByTokenHash(tokenHash: string): Promise<Agency | undefined>;
  agencyExists(id: string): Promise<boolean>;

  createWarrant(warrant: Omit<Warrant, 'id' | 'createdAt' | 'updatedAt' | 'status'>): Promise<Warrant>;
  updateWarrant(id: string, changes: WarrantChanges & { status?: 'deactivated'; deactivatedAt?: Date }): Promise<Warrant>;
  getWarrant(id: string): Promise<Warrant | undefined>;
  listWarrants(agencyId?: string): Promise<Warrant[]>;
  // Active warrants whose window opened, or closed, in (since, until].
  warrantsOpening(since: Date, until: Date): Promise<Warrant[]>;
  warrantsClosing(since: Date, until: Date): Promise<Warrant[]>;
  allWarrantIds(): Promise<string[]>;

  // Appends to the warrant's hash chain (keyed); undefined when a record with this dedupe key exists.
  appendEvent(warrantId: string, event: NewEvent): Promise<ChainedRecord | undefined>;
  eventsOf(warrantId: string, options?: { afterSeq?: number; limit?: number }): Promise<ChainedRecord[]>;
  chainOf(warrantId: string): Promise<{ start: ChainHead; head: ChainHead } | undefined>;
  // Every warrant's chain head (for the signed checkpoint).
  chainHeads(): Promise<(ChainHead & { warrantId: string })[]>;
  // The first keyed record of a chain (undefined: none, a chain written before keyed chains).
  firstKeyedSeq(warrantId: string): Promise<number | undefined>;
  // Deletes records that occurred before `before`; the chain restarts from the last one deleted,
  // and `record` (kind records.purged; upToSeq and count added) is appended in the same transaction.
  purgeEventsBefore(warrantId: string, before: Date, record: Omit<NewEvent, 'dedupeKey'>): Promise<{ purged: number; upToSeq?: number }>;

  // Creates the intercept of this warrant and call, or returns the one there is.
  openIntercept(intercept: Omit<Intercept, 'id' | 'contentAttempts'>): Promise<{ intercept: Intercept; created: boolean }>;
  openInterceptsOfWarrant(warrantId: string): Promise<Intercept[]>;
  updateIntercept(id: string, changes: InterceptChanges): Promise<void>;
  // Moves content_state to `starting` (until `until`) if it is one of `from`; a `starting` claim
  // counts only once expired (its holder crashed). False when another worker has it.
  claimContentStart(id: string, from: ContentState[], now: Date, until: Date): Promise<boolean>;
  // Answered intercepts whose content failed to start (or whose start was abandoned), due again.
  contentRetriesDue(now: Date): Promise<Intercept[]>;

  createRecording(recording: Omit<Recording, 'attempts' | 'copies' | 'missingLocations' | 'spoolKept'>): Promise<void>;
  recordingsOfIntercept(interceptId: string): Promise<Recording[]>;
  // With `event`: the record is appended to the recording's warrant chain in the same transaction.
  updateRecording(id: string, changes: RecordingChanges, event?: NewEvent): Promise<void>;
  // Claims one ended recording not tried since `retryBefore`, or one whose collection was
  // abandoned (claimed before `staleBefore`).
  claimRecordingToCollect(now: Date, retryBefore: Date, staleBefore: Date): Promise<Recording | undefined>;
  // Claims one stored recording whose switch files are still kept (copies missing), not tried
  // since `retryBefore`.
  claimRecordingToComplete(now: Date, retryBefore: Date): Promise<Recording | undefined>;
  recordingsOfWarrant(warrantId: string): Promise<Recording[]>;
  getRecording(id: string): Promise<Recording | undefined>;
  storedRecordings(afterId: string | undefined, limit: number): Promise<Recording[]>;
  recordingsPastRetention(now: Date, limit: number): Promise<Recording[]>;

  appendAudit(entry: AuditEntry): Promise<void>;
  // One holder at a time for a periodic job; true when this holder has the lease until `until`.
  tryLease(name: string, holder: string, now: Date, until: Date): Promise<boolean>;
  // A job due at `now` (never scheduled, or its time passed) is claimed by one caller, and is next
  // due at `next`; false when it is not due or another caller claimed it.
  claimDue(name: string, now: Date, next: Date): Promise<boolean>;
  scheduleJob(name: string, due: Date): Promise<void>;
}

export type { ChainedRecord };
