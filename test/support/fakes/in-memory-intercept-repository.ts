import { randomUUID } from 'node:crypto';
import { genesisHash, signRecord, type ChainedRecord, type ChainKeys } from '../../../app/intercept/hash-chain';
import {
  type Agency,
  type AuditEntry,
  type ContentState,
  type Intercept,
  type InterceptChanges,
  type InterceptRepository,
  type NewEvent,
  type Recording,
  type RecordingChanges,
  type WarrantChanges,
} from '../../../app/intercept/model';
import { type Identity } from '../../../app/intercept/ports';
import { intercepts, matchesIdentity, type Warrant } from '../../../app/intercept/warrant';

// The intercept repository in memory, for unit tests of the module's services.
export class InMemoryInterceptRepository implements InterceptRepository {
  readonly agencies = new Map<string, Agency & { tokenHash: string }>();
  readonly warrants = new Map<string, Warrant & { head: { seq: number; hash: string } }>();
  readonly events: (ChainedRecord & { dedupeKey: string })[] = [];
  readonly intercepts = new Map<string, Intercept>();
  readonly recordings = new Map<string, Recording>();
  readonly audit: AuditEntry[] = [];
  readonly anchors = new Map<string, { seq: number; hash: string }>();
  readonly claims = new Map<string, Date>();

  // Replaceable: a test rotates the evidence key.
  constructor(public keys: ChainKeys) {}

  createAgency(name: string, tokenHash: string): Promise<Agency> {
    const agency = { id: randomUUID(), name, createdAt: new Date(), tokenHash };
    this.agencies.set(agency.id, agency);
    return Promise.resolve({ id: agency.id, name, createdAt: agency.createdAt });
  }

  agencyByTokenHash(tokenHash: string): Promise<Agency | undefined> {
    return Promise.resolve([...this.agencies.values()].find((a) => a.tokenHash === tokenHash));
  }

  agencyExists(id: string): Promise<boolean> {
    return Promise.resolve(this.agencies.has(id));
  }

  createWarrant(input: Omit<Warrant, 'id' | 'createdAt' | 'updatedAt' | 'status'>): Promise<Warrant> {
    const id = randomUUID();
    const warrant = { ...input, id, status: 'active' as const, createdAt: new Date(), updatedAt: new Date(), head: { seq: 0, hash: genesisHash(id) } };
    this.warrants.set(id, warrant);
    return Promise.resolve(strip(warrant));
  }

  updateWarrant(id: string, changes: WarrantChanges & { status?: 'deactivated'; deactivatedAt?: Date }): Promise<Warrant> {
    const warrant = this.warrants.get(id);
    if (!warrant) throw new Error('no warrant');
    Object.assign(warrant, changes, { updatedAt: new Date() });
    return Promise.resolve(strip(warrant));
  }

  getWarrant(id: string): Promise<Warrant | undefined> {
    const warrant = this.warrants.get(id);
    return Promise.resolve(warrant && strip(warrant));
  }

  listWarrants(agencyId?: string): Promise<Warrant[]> {
    return Promise.resolve([...this.warrants.values()].filter((w) => !agencyId || w.agencyId === agencyId).map(strip));
  }

  warrantsTargeting(identity: Identity, at: Date): Promise<Warrant[]> {
    return Promise.resolve([...this.warrants.values()].filter((w) => intercepts(w, at) && matchesIdentity(w.targets, identity)).map(strip));
  }

  warrantsOpening(since: Date, until: Date): Promise<Warrant[]> {
    return Promise.resolve([...this.warrants.values()].filter((w) => w.status === 'active' && w.validFrom > since && w.validFrom <= until && w.validUntil > until).map(strip));
  }

  warrantsClosing(since: Date, until: Date): Promise<Warrant[]> {
    return Promise.resolve([...this.warrants.values()].filter((w) => w.status === 'active' && w.validUntil > since && w.validUntil <= until).map(strip));
  }

  allWarrantIds(): Promise<string[]> {
    return Promise.resolve([...this.warrants.keys()]);
  }

  appendEvent(warrantId: string, event: NewEvent): Promise<ChainedRecord | undefined> {
    const warrant = this.warrants.get(warrantId);
    if (!warrant) throw new Error('no warrant');
    if (this.events.some((e) => e.warrantId === warrantId && e.dedupeKey === event.dedupeKey)) return Promise.resolve(undefined);
    const chained = signRecord(this.keys, warrant.head.hash, {
      warrantId,
      seq: warrant.head.seq + 1,
      kind: event.kind,
      ...(event.interceptId ? { interceptId: event.interceptId } : {}),
      ...(event.callId ? { callId: event.callId } : {}),
      occurredAt: event.occurredAt.toISOString(),
      payload: JSON.parse(JSON.stringify(event.payload)) as Record<string, unknown>,
    });
    this.events.push({ ...chained, dedupeKey: event.dedupeKey });
    warrant.head = { seq: chained.seq, hash: chained.hash };
    return Promise.resolve(chained);
  }

  eventsOf(warrantId: string, options: { afterSeq?: number; limit?: number } = {}): Promise<ChainedRecord[]> {
    const list = this.events.filter((e) => e.warrantId === warrantId && e.seq > (options.afterSeq ?? 0)).map(({ dedupeKey: _d, ...rest }) => rest);
    return Promise.resolve(options.limit ? list.slice(0, options.limit) : list);
  }

  chainOf(warrantId: string): Promise<{ start: { seq: number; hash: string }; head: { seq: number; hash: string } } | undefined> {
    const warrant = this.warrants.get(warrantId);
    return Promise.resolve(warrant && { start: this.anchors.get(warrantId) ?? { seq: 0, hash: genesisHash(warrantId) }, head: warrant.head });
  }

  chainHeads(): Promise<{ warrantId: string; seq: number; hash: string }[]> {
    return Promise.resolve([...this.warrants.values()].map((w) => ({ warrantId: w.id, ...w.head })));
  }

  firstKeyedSeq(warrantId: string): Promise<number | undefined> {
    return Promise.resolve(this.events.find((e) => e.warrantId === warrantId && e.keyId)?.seq);
  }

  async purgeEventsBefore(warrantId: string, before: Date, record: Omit<NewEvent, 'dedupeKey'>): Promise<{ purged: number; upToSeq?: number }> {
    const old = this.events.filter((e) => e.warrantId === warrantId && Date.parse(e.occurredAt) < before.getTime());
    const last = old.at(-1);
    if (!last) return { purged: 0 };
    const gone = this.events.filter((e) => e.warrantId === warrantId && e.seq <= last.seq);
    for (const e of gone) this.events.splice(this.events.indexOf(e), 1);
    this.anchors.set(warrantId, { seq: last.seq, hash: last.hash });
    await this.appendEvent(warrantId, { ...record, dedupeKey: `records-purged:${last.seq}`, payload: { ...record.payload, upToSeq: last.seq, count: gone.length } });
    return { purged: gone.length, upToSeq: last.seq };
  }

  openIntercept(input: Omit<Intercept, 'id' | 'contentAttempts'>): Promise<{ intercept: Intercept; created: boolean }> {
    const existing = [...this.intercepts.values()].find((i) => i.warrantId === input.warrantId && i.callId === input.callId);
    if (existing) return Promise.resolve({ intercept: { ...existing }, created: false });
    const intercept = { ...input, id: randomUUID(), contentAttempts: 0 };
    this.intercepts.set(intercept.id, intercept);
    return Promise.resolve({ intercept: { ...intercept }, created: true });
  }

  interceptsOfCall(callId: string): Promise<Intercept[]> {
    return Promise.resolve([...this.intercepts.values()].filter((i) => i.callId === callId).map((i) => ({ ...i })));
  }

  openInterceptsOfWarrant(warrantId: string): Promise<Intercept[]> {
    return Promise.resolve([...this.intercepts.values()].filter((i) => i.warrantId === warrantId && i.state !== 'ended').map((i) => ({ ...i })));
  }

  updateIntercept(id: string, changes: InterceptChanges): Promise<void> {
    const intercept = this.intercepts.get(id);
    if (!intercept) throw new Error('no intercept');
    for (const [key, value] of Object.entries(changes)) (intercept as unknown as Record<string, unknown>)[key] = value === null ? undefined : value;
    return Promise.resolve();
  }

  claimContentStart(id: string, from: ContentState[], now: Date, until: Date): Promise<boolean> {
    const intercept = this.intercepts.get(id);
    if (!intercept || !from.includes(intercept.contentState)) return Promise.resolve(false);
    if (intercept.contentState === 'starting' && !(intercept.nextAttemptAt && intercept.nextAttemptAt <= now)) return Promise.resolve(false);
    intercept.contentState = 'starting';
    intercept.nextAttemptAt = until;
    return Promise.resolve(true);
  }

  contentRetriesDue(now: Date): Promise<Intercept[]> {
    return Promise.resolve([...this.intercepts.values()].filter((i) => i.state === 'answered' && (i.contentState === 'failed' || i.contentState === 'starting') && i.nextAttemptAt && i.nextAttemptAt <= now).map((i) => ({ ...i })));
  }

  createRecording(recording: Omit<Recording, 'attempts' | 'copies' | 'missingLocations' | 'spoolKept'>): Promise<void> {
    this.recordings.set(recording.id, { ...recording, attempts: 0, copies: 0, missingLocations: [], spoolKept: false });
    return Promise.resolve();
  }

  recordingsOfIntercept(interceptId: string): Promise<Recording[]> {
    return Promise.resolve([...this.recordings.values()].filter((r) => r.interceptId === interceptId).map((r) => ({ ...r })));
  }

  async updateRecording(id: string, changes: RecordingChanges, event?: NewEvent): Promise<void> {
    const recording = this.recordings.get(id);
    if (!recording) throw new Error('no recording');
    const { claimedAt, ...rest } = changes;
    if (claimedAt === null) this.claims.delete(id);
    else if (claimedAt) this.claims.set(id, claimedAt);
    Object.assign(recording, rest);
    if (event) await this.appendEvent(recording.warrantId, event);
  }

  claimRecordingToCollect(now: Date, retryBefore: Date, staleBefore: Date): Promise<Recording | undefined> {
    const claimed = (r: Recording): Date | undefined => this.claims.get(r.id);
    const recording = [...this.recordings.values()].find(
      (r) => (r.state === 'ended' && (!claimed(r) || (claimed(r) as Date) < retryBefore)) || (r.state === 'collecting' && (claimed(r) as Date) < staleBefore),
    );
    if (recording) {
      recording.state = 'collecting';
      this.claims.set(recording.id, now);
    }
    return Promise.resolve(recording && { ...recording });
  }

  claimRecordingToComplete(now: Date, retryBefore: Date): Promise<Recording | undefined> {
    const recording = [...this.recordings.values()].find((r) => r.state === 'stored' && r.spoolKept && (!this.claims.get(r.id) || (this.claims.get(r.id) as Date) < retryBefore));
    if (recording) this.claims.set(recording.id, now);
    return Promise.resolve(recording && { ...recording });
  }

  recordingsOfWarrant(warrantId: string): Promise<Recording[]> {
    return Promise.resolve([...this.recordings.values()].filter((r) => r.warrantId === warrantId).map((r) => ({ ...r })));
  }

  getRecording(id: string): Promise<Recording | undefined> {
    const recording = this.recordings.get(id);
    return Promise.resolve(recording && { ...recording });
  }

  storedRecordings(afterId: string | undefined, limit: number): Promise<Recording[]> {
    const list = [...this.recordings.values()].filter((r) => r.state === 'stored' && (!afterId || r.id > afterId)).sort((a, b) => (a.id < b.id ? -1 : 1));
    return Promise.resolve(list.slice(0, limit).map((r) => ({ ...r })));
  }

  recordingsPastRetention(now: Date, limit: number): Promise<Recording[]> {
    return Promise.resolve([...this.recordings.values()].filter((r) => r.state === 'stored' && r.retainUntil && r.retainUntil <= now).slice(0, limit).map((r) => ({ ...r })));
  }

  appendAudit(entry: AuditEntry): Promise<void> {
    this.audit.push(entry);
    return Promise.resolve();
  }

  tryLease(): Promise<boolean> {
    return Promise.resolve(true);
  }

  readonly jobs = new Map<string, Date>();

  claimDue(name: string, now: Date, next: Date): Promise<boolean> {
    const due = this.jobs.get(name);
    if (due && due > now) return Promise.resolve(false);
    this.jobs.set(name, next);
    return Promise.resolve(true);
  }

  scheduleJob(name: string, due: Date): Promise<void> {
    this.jobs.set(name, due);
    return Promise.resolve();
  }
}

function strip(warrant: Warrant & { head?: unknown }): Warrant {
  const { head: _head, ...rest } = warrant;
  return { ...rest, targets: [...rest.targets] };
}
