import { randomUUID } from 'node:crypto';
import { type Database } from '../shared/infra/prisma';
import { type Prisma } from '../shared/infra/prisma/generated/client';
import { AgencyNotFoundError, WarrantNotFoundError } from './errors';
import { genesisHash, recordHash, type ChainedRecord } from './hash-chain';
import {
  type Agency,
  type AuditEntry,
  type ContentState,
  type Intercept,
  type InterceptChanges,
  type InterceptRepository,
  type NewEvent,
  type Recording,
  type WarrantChanges,
} from './model';
import { type Identity, type TargetType, type WarrantTarget } from './ports';
import { targetKeysOf, type Warrant, type WarrantStatus } from './warrant';

type WarrantRow = Prisma.LiWarrantGetPayload<object>;
type InterceptRow = Prisma.LiInterceptGetPayload<object>;
type RecordingRow = Prisma.LiRecordingGetPayload<object>;
type EventRow = Prisma.LiEventGetPayload<object>;

const opt = <T>(value: T | null): T | undefined => value ?? undefined;

function toIntercept(row: InterceptRow): Intercept {
  return {
    id: row.id,
    warrantId: row.warrantId,
    callId: row.callId,
    targetRole: row.targetRole as Intercept['targetRole'],
    targetChannelId: opt(row.targetChannelId),
    state: row.state as Intercept['state'],
    contentState: row.contentState as ContentState,
    contentAttempts: row.contentAttempts,
    contentError: opt(row.contentError),
    nextAttemptAt: opt(row.nextAttemptAt),
    begunAt: row.begunAt,
    answeredAt: opt(row.answeredAt),
    endedAt: opt(row.endedAt),
  };
}

function toRecording(row: RecordingRow): Recording {
  return {
    id: row.id,
    interceptId: row.interceptId,
    warrantId: row.warrantId,
    callId: row.callId,
    segment: row.segment,
    tap: { inChannelId: row.snoopInId, outChannelId: row.snoopOutId, nameIn: row.nameIn, nameOut: row.nameOut },
    state: row.state as Recording['state'],
    attempts: row.attempts,
    lastError: opt(row.lastError),
    startedAt: row.startedAt,
    endedAt: opt(row.endedAt),
    durationMs: opt(row.durationMs),
    sizeBytes: opt(row.sizeBytes),
    sha256: opt(row.sha256),
    objectSha256: opt(row.objectSha256),
    objectKey: opt(row.objectKey),
    copies: row.copies,
    storedAt: opt(row.storedAt),
    retainUntil: opt(row.retainUntil),
    purgedAt: opt(row.purgedAt),
  };
}

function toChained(row: EventRow): ChainedRecord {
  return {
    warrantId: row.warrantId,
    seq: row.seq,
    kind: row.kind,
    ...(row.interceptId ? { interceptId: row.interceptId } : {}),
    ...(row.callId ? { callId: row.callId } : {}),
    occurredAt: row.occurredAt.toISOString(),
    payload: row.payload,
    prevHash: row.prevHash,
    hash: row.hash,
  };
}

const short = (text: string | undefined): string | undefined => (text === undefined ? undefined : text.slice(0, 500));

// The intercept module's tables (li_*) in PostgreSQL.
export class PrismaInterceptRepository implements InterceptRepository {
  constructor(private readonly db: Database) {}

  async createAgency(name: string, tokenHash: string): Promise<Agency> {
    const row = await this.db.liAgency.create({ data: { name, tokenHash } });
    return { id: row.id, name: row.name, createdAt: row.createdAt };
  }

  async agencyByTokenHash(tokenHash: string): Promise<Agency | undefined> {
    const row = await this.db.liAgency.findUnique({ where: { tokenHash } });
    return row ? { id: row.id, name: row.name, createdAt: row.createdAt } : undefined;
  }

  async agencyExists(id: string): Promise<boolean> {
    return (await this.db.liAgency.count({ where: { id } })) > 0;
  }

  private async withTargets(rows: WarrantRow[]): Promise<Warrant[]> {
    if (rows.length === 0) return [];
    const targets = await this.db.liWarrantTarget.findMany({ where: { warrantId: { in: rows.map((row) => row.id) } } });
    return rows.map((row) => ({
      id: row.id,
      agencyId: row.agencyId,
      targets: targets.filter((t) => t.warrantId === row.id).map((t) => ({ type: t.type as TargetType, value: t.value })),
      content: row.content,
      validFrom: row.validFrom,
      validUntil: row.validUntil,
      status: row.status as WarrantStatus,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      ...(row.deactivatedAt ? { deactivatedAt: row.deactivatedAt } : {}),
    }));
  }

  async createWarrant(warrant: Omit<Warrant, 'id' | 'createdAt' | 'updatedAt' | 'status'>): Promise<Warrant> {
    if (!(await this.agencyExists(warrant.agencyId))) throw new AgencyNotFoundError(warrant.agencyId);
    const id = randomUUID();
    await this.db.$transaction([
      this.db.liWarrant.create({
        data: { id, agencyId: warrant.agencyId, content: warrant.content, validFrom: warrant.validFrom, validUntil: warrant.validUntil, status: 'active', chainHead: genesisHash(id) },
      }),
      this.db.liWarrantTarget.createMany({ data: dedupeTargets(warrant.targets).map((t) => ({ warrantId: id, type: t.type, value: t.value })) }),
    ]);
    return (await this.getWarrant(id)) as Warrant;
  }

  async updateWarrant(id: string, changes: WarrantChanges & { status?: 'deactivated'; deactivatedAt?: Date }): Promise<Warrant> {
    const { targets, ...fields } = changes;
    await this.db.$transaction(async (tx) => {
      const { count } = await tx.liWarrant.updateMany({ where: { id }, data: { ...fields, updatedAt: new Date() } });
      if (count === 0) throw new WarrantNotFoundError(id);
      if (targets) {
        await tx.liWarrantTarget.deleteMany({ where: { warrantId: id } });
        await tx.liWarrantTarget.createMany({ data: dedupeTargets(targets).map((t) => ({ warrantId: id, type: t.type, value: t.value })) });
      }
    });
    return (await this.getWarrant(id)) as Warrant;
  }

  async getWarrant(id: string): Promise<Warrant | undefined> {
    const row = await this.db.liWarrant.findUnique({ where: { id } });
    return row ? (await this.withTargets([row]))[0] : undefined;
  }

  async listWarrants(agencyId?: string): Promise<Warrant[]> {
    return this.withTargets(await this.db.liWarrant.findMany({ where: agencyId ? { agencyId } : {}, orderBy: { createdAt: 'asc' } }));
  }

  async warrantsTargeting(identity: Identity, at: Date): Promise<Warrant[]> {
    const matches = await this.db.liWarrantTarget.findMany({ where: { OR: targetKeysOf(identity).map((key) => ({ type: key.type, value: key.value })) }, select: { warrantId: true } });
    if (matches.length === 0) return [];
    const rows = await this.db.liWarrant.findMany({
      where: { id: { in: [...new Set(matches.map((m) => m.warrantId))] }, status: 'active', validFrom: { lte: at }, validUntil: { gt: at } },
    });
    return this.withTargets(rows);
  }

  async warrantsOpening(since: Date, until: Date): Promise<Warrant[]> {
    return this.withTargets(await this.db.liWarrant.findMany({ where: { status: 'active', validFrom: { gt: since, lte: until }, validUntil: { gt: until } } }));
  }

  async warrantsClosing(since: Date, until: Date): Promise<Warrant[]> {
    return this.withTargets(await this.db.liWarrant.findMany({ where: { status: 'active', validUntil: { gt: since, lte: until } } }));
  }

  async allWarrantIds(): Promise<string[]> {
    return (await this.db.liWarrant.findMany({ select: { id: true }, orderBy: { createdAt: 'asc' } })).map((row) => row.id);
  }

  // The warrant row is locked for the append: one writer at a time extends a chain.
  async appendEvent(warrantId: string, event: NewEvent): Promise<ChainedRecord | undefined> {
    return this.db.$transaction(async (tx) => {
      const heads = await tx.$queryRaw<{ chain_seq: number; chain_head: string }[]>`SELECT chain_seq, chain_head FROM li_warrants WHERE id = ${warrantId}::uuid FOR UPDATE`;
      const head = heads[0];
      if (!head) throw new WarrantNotFoundError(warrantId);
      const existing = await tx.liEvent.findUnique({ where: { warrantId_dedupeKey: { warrantId, dedupeKey: event.dedupeKey } } });
      if (existing) return undefined;
      const occurredAt = new Date(event.occurredAt.getTime());
      const record = {
        warrantId,
        seq: head.chain_seq + 1,
        kind: event.kind,
        ...(event.interceptId ? { interceptId: event.interceptId } : {}),
        ...(event.callId ? { callId: event.callId } : {}),
        occurredAt: occurredAt.toISOString(),
        // Stored as JSON and read back the same: normalise now so the hash covers what is stored.
        payload: JSON.parse(JSON.stringify(event.payload)) as Record<string, unknown>,
      };
      const hash = recordHash(head.chain_head, record);
      await tx.liEvent.create({
        data: {
          warrantId,
          seq: record.seq,
          dedupeKey: event.dedupeKey,
          kind: record.kind,
          interceptId: event.interceptId ?? null,
          callId: event.callId ?? null,
          occurredAt,
          payload: record.payload as Prisma.InputJsonObject,
          prevHash: head.chain_head,
          hash,
        },
      });
      await tx.liWarrant.update({ where: { id: warrantId }, data: { chainSeq: record.seq, chainHead: hash } });
      return { ...record, prevHash: head.chain_head, hash };
    });
  }

  async eventsOf(warrantId: string, options: { afterSeq?: number; limit?: number } = {}): Promise<ChainedRecord[]> {
    const rows = await this.db.liEvent.findMany({
      where: { warrantId, seq: { gt: options.afterSeq ?? 0 } },
      orderBy: { seq: 'asc' },
      ...(options.limit ? { take: options.limit } : {}),
    });
    return rows.map(toChained);
  }

  async chainOf(warrantId: string): Promise<{ start: { seq: number; hash: string }; head: { seq: number; hash: string } } | undefined> {
    const warrant = await this.db.liWarrant.findUnique({ where: { id: warrantId }, select: { chainSeq: true, chainHead: true } });
    if (!warrant) return undefined;
    const anchor = await this.db.liChainAnchor.findUnique({ where: { warrantId } });
    return { start: anchor ? { seq: anchor.seq, hash: anchor.hash } : { seq: 0, hash: genesisHash(warrantId) }, head: { seq: warrant.chainSeq, hash: warrant.chainHead } };
  }

  async purgeEventsBefore(warrantId: string, before: Date): Promise<{ purged: number; upToSeq?: number }> {
    return this.db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM li_warrants WHERE id = ${warrantId}::uuid FOR UPDATE`;
      // Only a prefix of the chain can go: everything up to the last record older than `before`.
      const last = await tx.liEvent.findFirst({ where: { warrantId, occurredAt: { lt: before } }, orderBy: { seq: 'desc' } });
      if (!last) return { purged: 0 };
      const { count } = await tx.liEvent.deleteMany({ where: { warrantId, seq: { lte: last.seq } } });
      const previous = await tx.liChainAnchor.findUnique({ where: { warrantId } });
      await tx.liChainAnchor.upsert({
        where: { warrantId },
        create: { warrantId, seq: last.seq, hash: last.hash, purged: count },
        update: { seq: last.seq, hash: last.hash, purged: (previous?.purged ?? 0) + count, updatedAt: new Date() },
      });
      return { purged: count, upToSeq: last.seq };
    });
  }

  async openIntercept(intercept: Omit<Intercept, 'id' | 'contentAttempts'>): Promise<{ intercept: Intercept; created: boolean }> {
    const data = {
      warrantId: intercept.warrantId,
      callId: intercept.callId,
      targetRole: intercept.targetRole,
      targetChannelId: intercept.targetChannelId ?? null,
      state: intercept.state,
      contentState: intercept.contentState,
      begunAt: intercept.begunAt,
      answeredAt: intercept.answeredAt ?? null,
    };
    const { count } = await this.db.liIntercept.createMany({ data: [data], skipDuplicates: true });
    const row = await this.db.liIntercept.findUniqueOrThrow({ where: { warrantId_callId: { warrantId: intercept.warrantId, callId: intercept.callId } } });
    return { intercept: toIntercept(row), created: count === 1 };
  }

  async interceptsOfCall(callId: string): Promise<Intercept[]> {
    return (await this.db.liIntercept.findMany({ where: { callId }, orderBy: { begunAt: 'asc' } })).map(toIntercept);
  }

  async openInterceptsOfWarrant(warrantId: string): Promise<Intercept[]> {
    return (await this.db.liIntercept.findMany({ where: { warrantId, state: { not: 'ended' } } })).map(toIntercept);
  }

  async updateIntercept(id: string, changes: InterceptChanges): Promise<void> {
    const { contentError, ...rest } = changes;
    await this.db.liIntercept.update({ where: { id }, data: { ...rest, ...(contentError !== undefined ? { contentError: contentError === null ? null : short(contentError) } : {}) } });
  }

  async claimContentStart(id: string, from: ContentState[], now: Date, until: Date): Promise<boolean> {
    const others = from.filter((state) => state !== 'starting');
    const { count } = await this.db.liIntercept.updateMany({
      where: { id, OR: [{ contentState: { in: others } }, ...(from.includes('starting') ? [{ contentState: 'starting', nextAttemptAt: { lte: now } }] : [])] },
      data: { contentState: 'starting', nextAttemptAt: until },
    });
    return count === 1;
  }

  async contentRetriesDue(now: Date): Promise<Intercept[]> {
    const rows = await this.db.liIntercept.findMany({ where: { state: 'answered', contentState: { in: ['failed', 'starting'] }, nextAttemptAt: { lte: now } }, take: 50 });
    return rows.map(toIntercept);
  }

  async createRecording(recording: Omit<Recording, 'attempts' | 'copies'>): Promise<void> {
    await this.db.liRecording.create({
      data: {
        id: recording.id,
        interceptId: recording.interceptId,
        warrantId: recording.warrantId,
        callId: recording.callId,
        segment: recording.segment,
        snoopInId: recording.tap.inChannelId,
        snoopOutId: recording.tap.outChannelId,
        nameIn: recording.tap.nameIn,
        nameOut: recording.tap.nameOut,
        state: recording.state,
        startedAt: recording.startedAt,
      },
    });
  }

  async recordingsOfIntercept(interceptId: string): Promise<Recording[]> {
    return (await this.db.liRecording.findMany({ where: { interceptId }, orderBy: { segment: 'asc' } })).map(toRecording);
  }

  async updateRecording(id: string, changes: Partial<Omit<Recording, 'id' | 'tap' | 'claimedAt'>> & { claimedAt?: Date | null }): Promise<void> {
    const { lastError, ...rest } = changes;
    await this.db.liRecording.update({ where: { id }, data: { ...rest, ...('lastError' in changes ? { lastError: short(lastError) ?? null } : {}) } });
  }

  async claimRecordingToCollect(now: Date, retryBefore: Date, staleBefore: Date): Promise<Recording | undefined> {
    const rows = await this.db.$queryRaw<{ id: string }[]>`
      UPDATE li_recordings SET state = 'collecting', claimed_at = ${now}
      WHERE id = (
        SELECT id FROM li_recordings
        WHERE (state = 'ended' AND (claimed_at IS NULL OR claimed_at < ${retryBefore}))
           OR (state = 'collecting' AND claimed_at < ${staleBefore})
        ORDER BY ended_at NULLS FIRST LIMIT 1 FOR UPDATE SKIP LOCKED)
      RETURNING id`;
    const id = rows[0]?.id;
    return id ? this.getRecording(id) : undefined;
  }

  async recordingsOfWarrant(warrantId: string): Promise<Recording[]> {
    return (await this.db.liRecording.findMany({ where: { warrantId }, orderBy: [{ startedAt: 'asc' }, { segment: 'asc' }] })).map(toRecording);
  }

  async getRecording(id: string): Promise<Recording | undefined> {
    const row = await this.db.liRecording.findUnique({ where: { id } });
    return row ? toRecording(row) : undefined;
  }

  async storedRecordings(afterId: string | undefined, limit: number): Promise<Recording[]> {
    const rows = await this.db.liRecording.findMany({ where: { state: 'stored', ...(afterId ? { id: { gt: afterId } } : {}) }, orderBy: { id: 'asc' }, take: limit });
    return rows.map(toRecording);
  }

  async recordingsPastRetention(now: Date, limit: number): Promise<Recording[]> {
    return (await this.db.liRecording.findMany({ where: { state: 'stored', retainUntil: { lte: now } }, take: limit })).map(toRecording);
  }

  async appendAudit(entry: AuditEntry): Promise<void> {
    await this.db.liAuditLog.create({
      data: {
        principalType: entry.principalType,
        principalId: entry.principalId ?? null,
        action: entry.action,
        warrantId: entry.warrantId?.slice(0, 64) ?? null,
        recordingId: entry.recordingId?.slice(0, 64) ?? null,
        outcome: entry.outcome,
        status: entry.status,
        remoteAddress: entry.remoteAddress?.slice(0, 64) ?? null,
      },
    });
  }

  async tryLease(name: string, holder: string, now: Date, until: Date): Promise<boolean> {
    const rows = await this.db.$queryRaw<{ name: string }[]>`
      INSERT INTO li_job_leases (name, holder, until) VALUES (${name}, ${holder}, ${until})
      ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, until = EXCLUDED.until
        WHERE li_job_leases.until < ${now} OR li_job_leases.holder = EXCLUDED.holder
      RETURNING name`;
    return rows.length === 1;
  }
}

function dedupeTargets(targets: WarrantTarget[]): WarrantTarget[] {
  const seen = new Map(targets.map((t) => [`${t.type}\u0000${t.value}`, t]));
  return [...seen.values()];
}
