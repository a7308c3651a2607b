import { type z } from 'zod';
import { errorMessage } from '../../kernel';
import { type Delivery, type DeliveryContext, processDelivery, retryAfterDependencyFailure } from './consumer-runner';
import { isDependencyFailure } from './dependency-failure';

// What one batch of deliveries is handled with: the single-event context of the consumer runner
// (retries, dead letters, metrics) plus the batch handler.
export interface BatchContext<T> extends DeliveryContext<T> {
  handleBatch: (events: T[]) => Promise<void>;
  // Events of different partitions are applied in concurrent transactions: the key must keep
  // apart what transactions would lock in common (for invoices, the caller's account).
  partitionOf?: (event: T) => string;
  partitions?: number;
}

interface Parsed<T> {
  delivery: Delivery;
  event: T;
}

const decoder = new TextDecoder();

function parseEvent<T>(delivery: Delivery, schema: z.ZodType<T>): T | undefined {
  try {
    const result = schema.safeParse(JSON.parse(decoder.decode(delivery.data)));
    return result.success ? result.data : undefined;
  } catch {
    return undefined;
  }
}

// Applies a batch of deliveries: every valid event through one call of the batch handler, then
// every message acked (after the handler's commit). If the batch fails, it is applied in halves,
// down to single events, which take the consumer runner's single path: a poison event is retried
// or dead-lettered on its own while the rest of its batch is applied around it. Messages that do
// not parse take the single path at once (it dead-letters them with the reason).
export async function processBatch<T>(deliveries: readonly Delivery[], ctx: BatchContext<T>): Promise<void> {
  const valid: Array<Parsed<T>> = [];
  for (const delivery of deliveries) {
    const event = parseEvent(delivery, ctx.schema);
    if (event === undefined) await processDelivery(delivery, ctx);
    else valid.push({ delivery, event });
  }
  const partitions = Math.max(1, ctx.partitions ?? 1);
  const { partitionOf } = ctx;
  if (partitions === 1 || !partitionOf) {
    await applyOrSplit(valid, ctx);
    return;
  }
  const groups = Array.from({ length: partitions }, (): Array<Parsed<T>> => []);
  for (const item of valid) groups[partitionIndex(partitionOf(item.event), partitions)]?.push(item);
  await Promise.all(groups.map((group) => applyOrSplit(group, ctx)));
}

// FNV-1a: a stable, even spread of keys over the partitions.
function partitionIndex(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i += 1) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % partitions;
}

async function applyOrSplit<T>(items: ReadonlyArray<Parsed<T>>, ctx: BatchContext<T>): Promise<void> {
  const [first] = items;
  if (!first) return;
  if (items.length === 1) {
    await processDelivery(first.delivery, ctx);
    return;
  }
  const ticker = setInterval(() => items.forEach((item) => item.delivery.working()), ctx.workingEveryMs);
  try {
    await ctx.handleBatch(items.map((item) => item.event));
  } catch (error) {
    clearInterval(ticker);
    if (isDependencyFailure(error)) {
      // The database (or another dependency) is down: no event of the batch is to blame, and
      // splitting it would only fail against the same outage, log2(size) times over.
      for (const item of items) retryAfterDependencyFailure(item.delivery, ctx, error, ctx.log);
      return;
    }
    const half = Math.ceil(items.length / 2);
    ctx.log.warn('event batch failed, applying it in halves', { size: items.length, error: errorMessage(error) });
    await applyOrSplit(items.slice(0, half), ctx);
    await applyOrSplit(items.slice(half), ctx);
    return;
  } finally {
    clearInterval(ticker);
  }
  const labels = { consumer: ctx.consumer };
  for (const { delivery } of items) {
    delivery.ack();
    ctx.dependencyFailures?.delete(delivery.streamSeq);
    if (delivery.deliveryCount > 1) ctx.metrics.redelivered.inc(labels);
  }
  ctx.metrics.consumed.inc(labels, items.length);
}
