import { applyOnce } from '../shared/infra/jetstream';
import { type Database } from '../shared/infra/prisma';
import { unitOfWorkOf } from '../shared/infra/unit-of-work';
import { type UnitOfWork } from '../shared/kernel';
import { type EventApplication } from './ports';

export interface EventApplicationOptions {
  // Longest one transaction may run (Prisma's default is 5 s): a batch settles hundreds of calls.
  timeoutMs?: number;
  batchTimeoutMs?: number;
}

// processed_events (consumer, event_id) as the record of applied events, written in the same
// transaction as the work: the single path through applyOnce, the batch path with one INSERT.
export class PrismaEventApplication implements EventApplication {
  constructor(
    private readonly db: Database,
    private readonly consumer: string,
    private readonly options: EventApplicationOptions = {},
  ) {}

  once(eventId: string, work: (unit: UnitOfWork) => Promise<void>): Promise<boolean> {
    return applyOnce(this.db, this.consumer, eventId, (tx) => work(unitOfWorkOf(tx)), { timeoutMs: this.options.timeoutMs ?? 5000 });
  }

  batch(eventIds: readonly string[], work: (unit: UnitOfWork, fresh: ReadonlySet<string>) => Promise<void>): Promise<ReadonlySet<string>> {
    // Sorted: two instances inserting overlapping batches take the row locks in the same order, so
    // the later one waits for the earlier one's commit (then skips those ids) instead of deadlocking.
    const ids = [...new Set(eventIds)].sort();
    return this.db.$transaction(
      async (tx) => {
        const rows = await tx.$queryRaw<Array<{ event_id: string }>>`
          INSERT INTO processed_events (consumer, event_id)
          SELECT ${this.consumer}, id FROM UNNEST(${ids}::text[]) AS t(id) ORDER BY id
          ON CONFLICT DO NOTHING
          RETURNING event_id`;
        const fresh = new Set(rows.map((row) => row.event_id));
        if (fresh.size > 0) await work(unitOfWorkOf(tx), fresh);
        return fresh;
      },
      { timeout: this.options.batchTimeoutMs ?? 30_000 },
    );
  }
}
