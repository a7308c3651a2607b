import { randomUUID } from 'node:crypto';
import { type Database } from '../shared/infra/prisma';
import { AgencyNotFoundError, WarrantNotFoundError } from './errors';
import { genesisHash, type ChainKeys } from './hash-chain';
import {
  type Agency,
  type AuditEntry,
  type CallInterceptReads,
  type ContentState,
  type Intercept,
  type InterceptChanges,
  type InterceptRepository,
  type WarrantChanges,
} from './model';
import { type TargetType } from './ports';
import { PrismaChainStore } from './prisma-chain-store';
import { dedupeTargets, short, toIntercept, toWarrant, type WarrantRow } from './prisma-intercept-rows';
import { PrismaRecordingStore } from './prisma-recording-store';
import { type Warrant } from './warrant';

// The intercept module's tables (li_*) in PostgreSQL: agencies, warrants, intercepts, the audit
// log and job leases here; the hash chain and the recordings in their own stores; the reads of
// every call event in plain SQL (`calls`: pg-call-intercepts.ts), off the Prisma client's cost.
export class PrismaInterceptRepository implements InterceptRepository {
  private readonly chain: PrismaChainStore;
  private readonly recordings: PrismaRecordingStore;

  constructor(
    private readonly db: Database,
    keys: ChainKeys,
    private readonly calls: CallInterceptReads,
  ) {
    this.chain = new PrismaChainStore(db, keys);
    this.recordings = new PrismaRecordingStore(db, this.chain);
  }

  readonly warrantsTargeting: InterceptRepository['warrantsTargeting'] = (identity, at) => this.calls.warrantsTargeting(identity, at);
  readonly interceptsOfCall: InterceptRepository['interceptsOfCall'] = (callId) => this.calls.interceptsOfCall(callId);

  readonly appendEvent: InterceptRepository['appendEvent'] = (warrantId, event) => this.chain.appendEvent(warrantId, event);
  readonly eventsOf: InterceptRepository['eventsOf'] = (warrantId, options) => this.chain.eventsOf(warrantId, options);
  readonly chainOf: InterceptRepository['chainOf'] = (warrantId) => this.chain.chainOf(warrantId);
  readonly chainHeads: InterceptRepository['chainHeads'] = () => this.chain.chainHeads();
  readonly firstKeyedSeq: InterceptRepository['firstKeyedSeq'] = (warrantId) => this.chain.firstKeyedSeq(warrantId);
  readonly purgeEventsBefore: InterceptRepository['purgeEventsBefore'] = (warrantId, before, record) => this.chain.purgeEventsBefore(warrantId, before, record);

  readonly createRecording: InterceptRepository['createRecording'] = (recording) => this.recordings.createRecording(recording);
  readonly recordingsOfIntercept: InterceptRepository['recordingsOfIntercept'] = (interceptId) => this.recordings.recordingsOfIntercept(interceptId);
  readonly updateRecording: InterceptRepository['updateRecording'] = (id, changes, event) => this.recordings.updateRecording(id, changes, event);
  readonly claimRecordingToCollect: InterceptRepository['claimRecordingToCollect'] = (now, retryBefore, staleBefore) => this.recordings.claimRecordingToCollect(now, retryBefore, staleBefore);
  readonly claimRecordingToComplete: InterceptRepository['claimRecordingToComplete'] = (now, retryBefore) => this.recordings.claimRecordingToComplete(now, retryBefore);
  readonly recordingsOfWarrant: InterceptRepository['recordingsOfWarrant'] = (warrantId) => this.recordings.recordingsOfWarrant(warrantId);
  readonly getRecording: InterceptRepository['getRecording'] = (id) => this.recordings.getRecording(id);
  readonly storedRecordings: InterceptRepository['storedRecordings'] = (afterId, limit) => this.recordings.storedRecordings(afterId, limit);
  readonly recordingsPastRetention: InterceptRepository['recordingsPastRetention'] = (now, limit) => this.recordings.recordingsPastRetention(now, limit);

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
    return rows.map((row) => toWarrant(row, targets.filter((t) => t.warrantId === row.id).map((t) => ({ type: t.type as TargetType, value: t.value }))));
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

  async warrantsOpening(since: Date, until: Date): Promise<Warrant[]> {
    return this.withTargets(await this.db.liWarrant.findMany({ where: { status: 'active', validFrom: { gt: since, lte: until }, validUntil: { gt: until } } }));
  }

  async warrantsClosing(since: Date, until: Date): Promise<Warrant[]> {
    return this.withTargets(await this.db.liWarrant.findMany({ where: { status: 'active', validUntil: { gt: since, lte: until } } }));
  }

  async allWarrantIds(): Promise<string[]> {
    return (await this.db.liWarrant.findMany({ select: { id: true }, orderBy: { createdAt: 'asc' } })).map((row) => row.id);
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

  async claimDue(name: string, now: Date, next: Date): Promise<boolean> {
    const rows = await this.db.$queryRaw<{ name: string }[]>`
      INSERT INTO li_job_leases (name, holder, until) VALUES (${name}, 'due', ${next})
      ON CONFLICT (name) DO UPDATE SET until = EXCLUDED.until WHERE li_job_leases.until <= ${now}
      RETURNING name`;
    return rows.length === 1;
  }

  async scheduleJob(name: string, due: Date): Promise<void> {
    await this.db.$executeRaw`
      INSERT INTO li_job_leases (name, holder, until) VALUES (${name}, 'due', ${due})
      ON CONFLICT (name) DO UPDATE SET until = EXCLUDED.until`;
  }
}
