import { type Database } from '../shared/infra/prisma';
import { type Prisma } from '../shared/infra/prisma/generated/client';
import { WarrantNotFoundError } from './errors';
import { genesisHash, signRecord, type ChainedRecord, type ChainKeys } from './hash-chain';
import { type ChainHead, type NewEvent } from './model';
import { toChained } from './prisma-intercept-rows';

export type Tx = Prisma.TransactionClient;

// A warrant's hash chain in PostgreSQL: its records (li_events), its head (chain_seq and
// chain_head on li_warrants) and where it restarts after a retention purge (li_chain_anchors).
// Records are keyed (HMAC under the current evidence key's chain key), computed here, never by SQL.
export class PrismaChainStore {
  constructor(
    private readonly db: Database,
    private readonly keys: ChainKeys,
  ) {}

  appendEvent(warrantId: string, event: NewEvent): Promise<ChainedRecord | undefined> {
    return this.db.$transaction((tx) => this.append(tx, warrantId, event));
  }

  // Appends inside the caller's transaction, so a record and the row change it reports commit
  // together. The warrant row is locked: one writer at a time extends a chain.
  async append(tx: Tx, warrantId: string, event: NewEvent): Promise<ChainedRecord | undefined> {
    const heads = await tx.$queryRaw<{ chain_seq: number; chain_head: string }[]>`SELECT chain_seq, chain_head FROM li_warrants WHERE id = ${warrantId}::uuid FOR UPDATE`;
    const head = heads[0];
    if (!head) throw new WarrantNotFoundError(warrantId);
    const occurredAt = new Date(event.occurredAt.getTime());
    const record = signRecord(this.keys, head.chain_head, {
      warrantId,
      seq: head.chain_seq + 1,
      kind: event.kind,
      ...(event.interceptId ? { interceptId: event.interceptId } : {}),
      ...(event.callId ? { callId: event.callId } : {}),
      occurredAt: occurredAt.toISOString(),
      // Stored as JSON and read back the same: normalise now so the hash covers what is stored.
      payload: JSON.parse(JSON.stringify(event.payload)) as Record<string, unknown>,
    });
    // Raw statements: every call of a target appends 7-8 records, and a model query costs Prisma's
    // query compiler ~0.8 ms of CPU (a raw one ~0.3 ms). An event already recorded (same dedupe key)
    // is skipped, leaving the head as it was; a clash on seq cannot happen under the row lock, and
    // would fail rather than be skipped.
    const inserted = await tx.$queryRaw<Array<{ id: bigint }>>`
      INSERT INTO li_events (warrant_id, seq, dedupe_key, kind, intercept_id, call_id, occurred_at, payload, prev_hash, hash, key_id)
      VALUES (${warrantId}::uuid, ${record.seq}, ${event.dedupeKey}, ${record.kind}, ${event.interceptId ?? null}::uuid, ${event.callId ?? null}::uuid,
              ${occurredAt}, ${JSON.stringify(record.payload)}::jsonb, ${record.prevHash}, ${record.hash}, ${record.keyId ?? null})
      ON CONFLICT (warrant_id, dedupe_key) DO NOTHING
      RETURNING id`;
    if (inserted.length === 0) return undefined;
    await tx.$executeRaw`UPDATE li_warrants SET chain_seq = ${record.seq}, chain_head = ${record.hash} WHERE id = ${warrantId}::uuid`;
    return record;
  }

  async eventsOf(warrantId: string, options: { afterSeq?: number; limit?: number } = {}): Promise<ChainedRecord[]> {
    const rows = await this.db.liEvent.findMany({
      where: { warrantId, seq: { gt: options.afterSeq ?? 0 } },
      orderBy: { seq: 'asc' },
      ...(options.limit ? { take: options.limit } : {}),
    });
    return rows.map(toChained);
  }

  async chainOf(warrantId: string): Promise<{ start: ChainHead; head: ChainHead } | undefined> {
    const warrant = await this.db.liWarrant.findUnique({ where: { id: warrantId }, select: { chainSeq: true, chainHead: true } });
    if (!warrant) return undefined;
    const anchor = await this.db.liChainAnchor.findUnique({ where: { warrantId } });
    return { start: anchor ? { seq: anchor.seq, hash: anchor.hash } : { seq: 0, hash: genesisHash(warrantId) }, head: { seq: warrant.chainSeq, hash: warrant.chainHead } };
  }

  async chainHeads(): Promise<(ChainHead & { warrantId: string })[]> {
    const rows = await this.db.liWarrant.findMany({ select: { id: true, chainSeq: true, chainHead: true } });
    return rows.map((row) => ({ warrantId: row.id, seq: row.chainSeq, hash: row.chainHead }));
  }

  async firstKeyedSeq(warrantId: string): Promise<number | undefined> {
    const row = await this.db.liEvent.findFirst({ where: { warrantId, keyId: { not: null } }, orderBy: { seq: 'asc' }, select: { seq: true } });
    return row?.seq;
  }

  // Deletes the records that occurred before `before` and appends `record` (its payload gets
  // upToSeq and count) in the same transaction: an anchor always has the record that explains it.
  async purgeEventsBefore(warrantId: string, before: Date, record: Omit<NewEvent, 'dedupeKey'>): Promise<{ purged: number; upToSeq?: number }> {
    return this.db.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM li_warrants WHERE id = ${warrantId}::uuid FOR UPDATE`;
      // Only a prefix of the chain can go: everything up to the last record older than `before`.
      const last = await tx.liEvent.findFirst({ where: { warrantId, occurredAt: { lt: before } }, orderBy: { seq: 'desc' } });
      if (!last) return { purged: 0 };
      // The database function deletes the prefix and moves the anchor in one step: the app's
      // role may not delete events nor write anchors itself (least privilege, see its migration).
      const [purge] = await tx.$queryRaw<{ purged: number }[]>`SELECT li_purge_chain_prefix(${warrantId}::uuid, ${last.seq}::int) AS purged`;
      const count = purge?.purged ?? 0;
      await this.append(tx, warrantId, { ...record, dedupeKey: `records-purged:${last.seq}`, payload: { ...record.payload, upToSeq: last.seq, count } });
      return { purged: count, upToSeq: last.seq };
    });
  }
}
