import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { applyOnce, pruneProcessedEvents } from '../../../app/shared/infra/jetstream';
import { createDatabase, type Database } from '../../../app/shared/infra/prisma';
import { testEnv } from '../../support/test-env';

const DAY_MS = 24 * 60 * 60 * 1000;

// The processed_events table does not grow forever: marks older than the retention are deleted in
// batches, the others kept, and an event whose mark is kept is still applied once.
describe('integration: pruning processed-event marks', function () {
  let db: Database;

  before(function () {
    db = createDatabase({ url: testEnv.databaseUrl, poolSize: 2 });
  });

  after(async function () {
    await db?.$disconnect();
  });

  it('given marks older and younger than the retention, when pruned, then only the old ones go, a batch at a time, and a kept mark still stops a redelivery', async function () {
    const consumer = `prune-test-${randomUUID().slice(0, 8)}`;
    const now = Date.now();
    const old = Array.from({ length: 25 }, (_, i) => ({ consumer, eventId: `old-${i}`, processedAt: new Date(now - 40 * DAY_MS - i * 1000) }));
    const young = Array.from({ length: 5 }, (_, i) => ({ consumer, eventId: `young-${i}`, processedAt: new Date(now - 20 * DAY_MS) }));
    await db.processedEvent.createMany({ data: [...old, ...young] });
    await applyOnce(db, consumer, 'just-now', () => Promise.resolve());

    const deleted = await pruneProcessedEvents(db, new Date(now - 35 * DAY_MS), 10);
    expect(deleted).to.be.at.least(25);
    const left = await db.processedEvent.findMany({ where: { consumer }, orderBy: { eventId: 'asc' } });
    expect(left.map((mark) => mark.eventId)).to.deep.equal(['just-now', 'young-0', 'young-1', 'young-2', 'young-3', 'young-4']);
    expect(await applyOnce(db, consumer, 'young-3', () => Promise.reject(new Error('applied twice'))), 'a kept mark').to.equal(false);
    expect(await pruneProcessedEvents(db, new Date(now - 35 * DAY_MS), 10), 'nothing left to prune').to.equal(0);
  });
});
