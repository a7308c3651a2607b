import { type Database } from '../prisma';

// Rows deleted by one statement: short transactions, so that consumers writing marks meanwhile
// never wait long.
const PRUNE_BATCH = 10_000;

// Deletes the consumers' processed-event marks (applyOnce's, and the invoice consumer's batch
// marks) written before `before`, a batch at a time; returns how many. An event delivered again
// after its mark is gone would be applied again, so the retention must outlive every way an event
// comes back: JetStream's duplicate window, redeliveries, and a replay of the stream.
export async function pruneProcessedEvents(db: Database, before: Date, batch = PRUNE_BATCH): Promise<number> {
  let deleted = 0;
  for (;;) {
    const count = await db.$executeRaw`
      DELETE FROM processed_events WHERE ctid = ANY(ARRAY(
        SELECT ctid FROM processed_events WHERE processed_at < ${before} LIMIT ${batch}))`;
    deleted += count;
    if (count < batch) return deleted;
  }
}
