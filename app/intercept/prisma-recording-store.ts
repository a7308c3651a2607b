import { type Database } from '../shared/infra/prisma';
import { type NewEvent, type Recording, type RecordingChanges } from './model';
import { type PrismaChainStore } from './prisma-chain-store';
import { short, toRecording } from './prisma-intercept-rows';

// Recordings of intercepts (li_recordings): created when a tap opens, claimed for collection,
// and stored, failed or purged.
export class PrismaRecordingStore {
  constructor(
    private readonly db: Database,
    private readonly chain: PrismaChainStore,
  ) {}

  async createRecording(recording: Omit<Recording, 'attempts' | 'copies' | 'missingLocations' | 'spoolKept'>): Promise<void> {
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

  // With an event, the row and the chain record commit together: a crash never leaves a row that
  // says stored without its record, or the reverse.
  async updateRecording(id: string, changes: RecordingChanges, event?: NewEvent): Promise<void> {
    const { lastError, ...rest } = changes;
    const data = { ...rest, ...('lastError' in changes ? { lastError: short(lastError) ?? null } : {}) };
    if (!event) {
      await this.db.liRecording.update({ where: { id }, data });
      return;
    }
    await this.db.$transaction(async (tx) => {
      const row = await tx.liRecording.update({ where: { id }, data });
      await this.chain.append(tx, row.warrantId, event);
    });
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

  async claimRecordingToComplete(now: Date, retryBefore: Date): Promise<Recording | undefined> {
    const rows = await this.db.$queryRaw<{ id: string }[]>`
      UPDATE li_recordings SET claimed_at = ${now}
      WHERE id = (
        SELECT id FROM li_recordings
        WHERE state = 'stored' AND spool_kept AND (claimed_at IS NULL OR claimed_at < ${retryBefore})
        ORDER BY stored_at LIMIT 1 FOR UPDATE SKIP LOCKED)
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
}
