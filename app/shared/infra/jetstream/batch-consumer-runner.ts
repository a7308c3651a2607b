import { type JetStreamClient, type JsMsg, millis } from 'nats';
import { type Registry } from 'prom-client';
import { type z } from 'zod';
import { errorMessage } from '../../kernel';
import { type Logger } from '../logger';
import { type BatchContext, processBatch } from './batch-delivery';
import { type Delivery, type DeliveryMeta, deliveryContextOf, type RunningConsumer } from './consumer-runner';
import { RestartLoop } from './restart-loop';
import { type ConsumerDefinition } from './stream-setup';

// What a module gives to have its events applied in batches (no NATS type in it), e.g. the
// invoice module's invoiceConsumer(); main adds the connection and the durable consumer.
export interface BatchHandlers<T> {
  schema: z.ZodType<T>;
  // Many events, one transaction; rejects to have them applied in smaller batches.
  handleBatch: (events: T[]) => Promise<void>;
  // One event (the fallback for a failing batch): rejects to ask for a redelivery, or throws
  // PermanentEventError to dead-letter it.
  handle: (event: T, meta: DeliveryMeta) => Promise<void>;
  // Most messages applied in one batch. Batches form by themselves: what arrived while the
  // previous batch was being applied, so an idle consumer applies each event at once.
  batchSize?: number;
  // A batch is split by this key into `partitions` transactions that run concurrently.
  partitionOf?: (event: T) => string;
  partitions?: number;
  // Messages asked of the server at a time; keep batchSize + prefetch within the consumer's
  // max_ack_pending (1000 by default), which bounds what is buffered here.
  prefetch?: number;
}

export interface BatchConsumerOptions<T> extends BatchHandlers<T> {
  js: JetStreamClient;
  consumer: ConsumerDefinition;
  log: Logger;
  maxDeliver?: number;
  metrics?: Registry;
  retryDelayMs?: (deliveryCount: number) => number;
  restartInitialMs?: number;
  restartMaxMs?: number;
}

// A message whose connection is gone cannot be acked, nak'd or extended; the server redelivers it
// after ack_wait, and the event's processed mark makes that delivery a no-op.
function toDelivery(msg: JsMsg, log: Logger): Delivery {
  const safely = (what: string, action: () => void): void => {
    try {
      action();
    } catch (error) {
      log.warn('message could not be answered, the server will redeliver it', { what, streamSeq: msg.info.streamSequence, error: errorMessage(error) });
    }
  };
  return {
    subject: msg.subject,
    data: msg.data,
    deliveryCount: msg.info.deliveryCount,
    streamSeq: msg.info.streamSequence,
    ack: () => safely('ack', () => msg.ack()),
    nak: (delayMs) => safely('nak', () => msg.nak(delayMs)),
    term: () => safely('term', () => msg.term()),
    working: () => safely('working', () => msg.working()),
  };
}

// Runs a durable pull consumer (created beforehand with ensureConsumer) that applies messages in
// batches, until stopped; the batch counterpart of startConsumer, with the same retries, dead
// letters, metrics and restart behaviour.
export function startBatchConsumer<T>(options: BatchConsumerOptions<T>): RunningConsumer {
  const { js, consumer: def } = options;
  const log = options.log.child({ consumer: def.name });
  const batchSize = options.batchSize ?? 500;
  const prefetch = options.prefetch ?? batchSize;
  const restartInitialMs = options.restartInitialMs ?? 250;
  const restartMaxMs = options.restartMaxMs ?? 5000;
  const context: Omit<BatchContext<T>, 'workingEveryMs'> = {
    ...deliveryContextOf(options, log),
    handleBatch: options.handleBatch,
    ...(options.partitionOf ? { partitionOf: options.partitionOf, partitions: options.partitions ?? 1 } : {}),
  };

  const loop = new RestartLoop({ restartInitialMs, restartMaxMs }, log);
  let closeCurrent: (() => Promise<void>) | undefined;
  let wake: (() => void) | undefined;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const consumeOnce = async (): Promise<void> => {
    const consumer = await js.consumers.get(def.stream, def.name);
    const info = await consumer.info(true);
    const workingEveryMs = Math.max(1000, Math.floor(millis(info.config.ack_wait ?? 30_000_000_000) / 3));
    const buffer: JsMsg[] = [];
    let closed = false;
    const messages = await consumer.consume({
      max_messages: prefetch,
      callback: (msg) => {
        buffer.push(msg);
        wake?.();
      },
    });
    closeCurrent = async () => void (await messages.close());
    void messages.closed().then(() => {
      closed = true;
      wake?.();
    });
    if (loop.stopping) {
      await messages.close();
      return;
    }
    log.info('consumer pulling in batches', { stream: def.stream, filterSubject: def.filterSubject, batchSize, prefetch, partitions: options.partitions ?? 1 });
    markReady();
    // Messages still waiting here behind a slow batch would pass their ack_wait and be delivered
    // again meanwhile: tell the server they are in hand.
    const buffered = setInterval(() => buffer.forEach((msg) => toDelivery(msg, log).working()), workingEveryMs);
    try {
      await drain(buffer, () => closed, workingEveryMs);
    } finally {
      clearInterval(buffered);
    }
  };

  // Applies what arrives, a batch at a time, until the pull ends or the consumer stops.
  const drain = async (buffer: JsMsg[], isClosed: () => boolean, workingEveryMs: number): Promise<void> => {
    for (;;) {
      if (buffer.length === 0) {
        if (isClosed() || loop.stopping) break;
        // The callback runs on a later tick than this check, so no message is missed in between.
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      const batch = buffer.splice(0, batchSize);
      if (loop.stopping) {
        // Buffered but not started: back to the server at once, for whoever consumes next.
        for (const msg of batch) toDelivery(msg, log).nak(0);
        continue;
      }
      await processBatch(
        batch.map((msg) => toDelivery(msg, log)),
        { ...context, workingEveryMs },
      ).catch((error: unknown) => {
        log.error('event batch handling crashed, will be redelivered', { error: errorMessage(error) });
        for (const msg of batch) toDelivery(msg, log).nak(context.retryDelayMs(msg.info.deliveryCount));
      });
    }
  };

  loop.start(consumeOnce);

  return {
    ready,
    stop: async () => {
      loop.stop();
      markReady();
      await closeCurrent?.();
      wake?.();
      await loop.done;
    },
  };
}
