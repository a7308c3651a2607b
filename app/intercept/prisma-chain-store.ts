import { type Database } from '../shared/infra/prisma';
import { type Prisma } from '../shared/infra/prisma/generated/client';
import { WarrantNotFoundError } from './errors';
import { genesisHash, recordHash, type ChainedRecord } from './hash-chain';
import { type NewEvent } from './model';
import { toChained } from './prisma-intercept-rows';

// A warrant's hash chain in PostgreSQL: its records (li_events), its head (chain_seq and
// chain_head on li_warrants) and where it restarts after a retention purge (li_chain_anchors).
export class PrismaChainStore {
  constructor(private readonly db: Database) {}

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
}
