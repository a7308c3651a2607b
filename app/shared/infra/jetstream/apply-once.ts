import { type Prisma } from '../prisma/generated/client';
import { type Database } from '../prisma';
import { type Sql, type SqlQueries } from '../sql';

// The transaction a consumer's work runs in: its writes commit together with the event's
// "processed" mark, or not at all. For adapters only: a module's public API passes it on as a
// UnitOfWork (app/shared/infra/unit-of-work.ts).
export type EventTransaction = Prisma.TransactionClient;

export interface ApplyOnceOptions {
  // Longest the transaction (the work included) may run; Prisma's default is 5 s.
  timeoutMs?: number;
}

// Applies an event's effects at most once per consumer: the ProcessedEvent row (consumer,
// eventId) is inserted in the same transaction as the work. If the row exists, the event was
// applied by an earlier delivery and the work is skipped. A concurrent second delivery waits on
// the first one's row lock, then finds it. Resolves true if it applied the work now.
export async function applyOnce(
  db: Database,
  consumer: string,
  eventId: string,
  work: (tx: EventTransaction) => Promise<void>,
  options: ApplyOnceOptions = {},
): Promise<boolean> {
  return db.$transaction(
    async (tx) => {
      const { count } = await tx.processedEvent.createMany({ data: [{ consumer, eventId }], skipDuplicates: true });
      if (count === 0) return false;
      await work(tx);
      return true;
    },
    { timeout: options.timeoutMs ?? 5000 },
  );
}

const MARK_PROCESSED = 'INSERT INTO processed_events (consumer, event_id, processed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING event_id';

// applyOnce over plain SQL (../sql.ts), for consumers on the call path whose work runs in a
// plain-SQL transaction: the same mark, in the same transaction, with the same waiting on a
// concurrent delivery. The Prisma version stays for work that runs in a Prisma transaction (the
// invoice consumer settles through billing's). No deadline of its own, unlike Prisma's 5 s
// transaction timeout: each statement has the pool's statement timeout instead.
export async function applyOnceSql(sql: Sql, consumer: string, eventId: string, work: (tx: SqlQueries) => Promise<void>): Promise<boolean> {
  return sql.transaction(async (tx) => {
    const marked = await tx.query(MARK_PROCESSED, [consumer, eventId, new Date()], 'processed-events-mark');
    if (marked.length === 0) return false;
    await work(tx);
    return true;
  });
}
