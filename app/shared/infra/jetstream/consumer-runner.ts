import { type ConsumerMessages, type JetStreamClient, type JsMsg, millis } from 'nats';
import { type Registry } from 'prom-client';
import { type z } from 'zod';
import { deadLetterSubject, PermanentEventError } from '../../events';
import { errorMessage } from '../../kernel';
import { type Logger } from '../logger';
import { type ConsumerMetrics, consumerMetrics } from './consumer-metrics';
import { isDependencyFailure } from './dependency-failure';
import { RestartLoop } from './restart-loop';
import { retryInPlace } from './retry-in-place';
import { type ConsumerDefinition } from './stream-setup';

export { consumerMetrics, type ConsumerMetrics } from './consumer-metrics';

export interface DeliveryMeta {
  subject: string;
  deliveryCount: number;
  streamSeq: number;
}

// What a dead-letter message (subject dlq.<consumer>, stream DEAD_LETTERS) holds.
export interface DeadLetter {
  consumer: string;
  subject: string;
  eventId?: string;
  reason: string;
  deliveries: number;
  streamSeq: number;
  failedAt: string;
  data: string; // the original payload, as received
}

// The parts of a JetStream message the runner uses; a seam for unit tests.
export interface Delivery extends DeliveryMeta {
  data: Uint8Array;
  ack(): void;
  nak(delayMs: number): void;
  term(): void;
  working(): void;
}

// Redelivery delay after a failed attempt: 1 s, 2 s, 4 s ... capped at 15 s, so that work resumes
// within seconds of a dependency coming back.
export const RETRY_DELAY_MAX_MS = 15_000;
export const defaultRetryDelayMs = (deliveryCount: number): number => Math.min(1000 * 2 ** Math.max(0, deliveryCount - 1), RETRY_DELAY_MAX_MS);
// Deliveries tracked for their dependency failures, at most (the oldest are forgotten past it).
const TRACKED_DELIVERIES_MAX = 10_000;

export interface DeliveryContext<T> {
  consumer: string;
  schema: z.ZodType<T>;
  handle: (event: T, meta: DeliveryMeta) => Promise<void>;
  maxDeliver: number;
  retryDelayMs: (deliveryCount: number) => number;
  deadLetter: (letter: DeadLetter, msgId: string) => Promise<void>;
  metrics: ConsumerMetrics;
  log: Logger;
  // Tell the server the handler is still working, so the message is not redelivered meanwhile.
  workingEveryMs: number;
  // Retry a transient failure where it is, until it succeeds or the consumer stops (see options).
  retryInPlace?: { stopping: () => boolean; sleep: (ms: number) => Promise<void> };
  // Per stream sequence, the deliveries that failed on a dependency: they do not count towards
  // maxDeliver (kept in memory: after a restart, every earlier delivery counts).
  dependencyFailures?: Map<number, number>;
}


export type DeliveryOutcome = 'acked' | 'retry' | 'dead-lettered';

const decoder = new TextDecoder();

class InvalidPayloadError extends PermanentEventError {}

function parse<T>(raw: string, schema: z.ZodType<T>): { event: T; eventId?: string } | { error: PermanentEventError; eventId?: string } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    return { error: new InvalidPayloadError(`invalid JSON: ${errorMessage(error)}`, { cause: error }) };
  }
  const id = (json as { id?: unknown } | null)?.id;
  const eventId = typeof id === 'string' && id.length > 0 ? id : undefined;
  const result = schema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
    return { error: new InvalidPayloadError(`invalid event: ${issues}`, { cause: result.error }), eventId };
  }
  return { event: result.data, eventId };
}

// Decides the fate of one delivery: ack after the handler resolved; nak with a delay on a
// transient failure; dead-letter (then term) on a permanent one or when the attempts run out.
export async function processDelivery<T>(delivery: Delivery, ctx: DeliveryContext<T>): Promise<DeliveryOutcome> {
  const labels = { consumer: ctx.consumer };
  if (delivery.deliveryCount > 1) ctx.metrics.redelivered.inc(labels);
  const raw = decoder.decode(delivery.data);
  const parsed = parse(raw, ctx.schema);
  const log = ctx.log.child({ eventId: parsed.eventId, subject: delivery.subject, streamSeq: delivery.streamSeq, deliveryCount: delivery.deliveryCount });

  let failure: unknown;
  if ('error' in parsed) {
    failure = parsed.error;
  } else if (ctx.retryInPlace) {
    return retryInPlace(delivery, parsed.event, ctx, ctx.retryInPlace, log, (reason) => deadLetter(delivery, raw, parsed.eventId, reason, ctx, log));
  } else {
    const ticker = setInterval(() => delivery.working(), ctx.workingEveryMs);
    try {
      await ctx.handle(parsed.event, { subject: delivery.subject, deliveryCount: delivery.deliveryCount, streamSeq: delivery.streamSeq });
      delivery.ack();
      ctx.dependencyFailures?.delete(delivery.streamSeq);
      ctx.metrics.consumed.inc(labels);
      return 'acked';
    } catch (error) {
      failure = error;
    } finally {
      clearInterval(ticker);
    }
  }

  const permanent = failure instanceof PermanentEventError;
  // A dependency that is down is not a bad event: retried for as long as the outage lasts.
  if (!permanent && isDependencyFailure(failure)) return retryAfterDependencyFailure(delivery, ctx, failure, log);
  const ownTries = delivery.deliveryCount - (ctx.dependencyFailures?.get(delivery.streamSeq) ?? 0);
  if (!permanent && ownTries < ctx.maxDeliver) {
    const delayMs = ctx.retryDelayMs(ownTries);
    log.warn('event handling failed, will be redelivered', { error: errorMessage(failure), retryInMs: delayMs, tries: ownTries });
    delivery.nak(delayMs);
    return 'retry';
  }

  const reason = permanent ? errorMessage(failure) : `gave up after ${ownTries} deliveries: ${errorMessage(failure)}`;
  return deadLetter(delivery, raw, parsed.eventId, reason, ctx, log);
}

// The event is redelivered (capped backoff) and this attempt does not count towards maxDeliver.
export function retryAfterDependencyFailure<T>(delivery: Delivery, ctx: DeliveryContext<T>, failure: unknown, log: Logger): DeliveryOutcome {
  const delayMs = Math.min(ctx.retryDelayMs(delivery.deliveryCount), RETRY_DELAY_MAX_MS);
  trackDependencyFailure(ctx, delivery.streamSeq);
  ctx.metrics.dependencyRetries.inc({ consumer: ctx.consumer });
  log.warn('a dependency is unavailable, the event will be redelivered', { streamSeq: delivery.streamSeq, error: errorMessage(failure), retryInMs: delayMs });
  delivery.nak(delayMs);
  return 'retry';
}

function trackDependencyFailure<T>(ctx: DeliveryContext<T>, streamSeq: number): void {
  const tracked = ctx.dependencyFailures;
  if (!tracked) return;
  tracked.set(streamSeq, (tracked.get(streamSeq) ?? 0) + 1);
  if (tracked.size > TRACKED_DELIVERIES_MAX) {
    const oldest = tracked.keys().next();
    if (!oldest.done) tracked.delete(oldest.value);
  }
}

async function deadLetter<T>(delivery: Delivery, raw: string, eventId: string | undefined, reason: string, ctx: DeliveryContext<T>, log: Logger): Promise<DeliveryOutcome> {
  const labels = { consumer: ctx.consumer };
  const letter: DeadLetter = {
    consumer: ctx.consumer,
    subject: delivery.subject,
    ...(eventId ? { eventId } : {}),
    reason,
    deliveries: delivery.deliveryCount,
    streamSeq: delivery.streamSeq,
    failedAt: new Date().toISOString(),
    data: raw,
  };
  try {
    await ctx.deadLetter(letter, `${ctx.consumer}:${eventId ?? `seq-${delivery.streamSeq}`}`);
  } catch (error) {
    // Not recorded anywhere yet: keep the message and try again on its next delivery.
    const delayMs = ctx.retryDelayMs(delivery.deliveryCount);
    log.error('dead-lettering failed, will be redelivered', { error: errorMessage(error), reason, retryInMs: delayMs });
    delivery.nak(delayMs);
    return 'retry';
  }
  delivery.term();
  ctx.dependencyFailures?.delete(delivery.streamSeq);
  ctx.metrics.deadLettered.inc(labels);
  log.error('event dead-lettered', { reason, to: deadLetterSubject(ctx.consumer) });
  return 'dead-lettered';
}

function toDelivery(msg: JsMsg): Delivery {
  return {
    subject: msg.subject,
    data: msg.data,
    deliveryCount: msg.info.deliveryCount,
    streamSeq: msg.info.streamSequence,
    ack: () => msg.ack(),
    nak: (delayMs) => msg.nak(delayMs),
    // No reason: nats-server before 2.11 does not understand "+TERM <reason>"; the dead letter has it.
    term: () => msg.term(),
    working: () => msg.working(),
  };
}

export interface ConsumerRunnerOptions<T> {
  js: JetStreamClient;
  consumer: ConsumerDefinition;
  schema: z.ZodType<T>;
  handle: (event: T, meta: DeliveryMeta) => Promise<void>;
  log: Logger;
  // Attempts before a failing event is dead-lettered (the server-side limit must be higher).
  maxDeliver?: number;
  metrics?: Registry;
  retryDelayMs?: (deliveryCount: number) => number;
  // Messages requested from the server at a time; they are handled one by one, in order.
  batchSize?: number;
  restartInitialMs?: number;
  restartMaxMs?: number;
  // Events that must be neither lost nor reordered: a transient failure is retried where it is
  // (capped backoff, no limit) and later events wait behind it; only a permanent error is
  // dead-lettered. consumer_held_up_seconds and an error log after a minute tell the operator.
  retryInPlace?: boolean;
  // Reads the consumer's backlog from the server this often into consumer_backlog_messages.
  backlogEveryMs?: number;
}

export interface RunningConsumer {
  // Resolves once the consumer is pulling messages for the first time.
  ready: Promise<void>;
  // Stops pulling, lets the current handler finish (and ack), hands buffered messages back.
  stop(): Promise<void>;
}

// What a delivery needs of a consumer's options, with their defaults; shared by startConsumer and
// startBatchConsumer. Dead letters go to the consumer's own dead-letter subject.
export function deliveryContextOf<T>(
  options: Pick<ConsumerRunnerOptions<T>, 'js' | 'consumer' | 'schema' | 'handle' | 'maxDeliver' | 'metrics' | 'retryDelayMs'>,
  log: Logger,
): Omit<DeliveryContext<T>, 'workingEveryMs'> {
  const { js, consumer: def } = options;
  return {
    consumer: def.name,
    schema: options.schema,
    handle: options.handle,
    maxDeliver: options.maxDeliver ?? 5,
    retryDelayMs: options.retryDelayMs ?? defaultRetryDelayMs,
    metrics: consumerMetrics(options.metrics),
    log,
    dependencyFailures: new Map(),
    deadLetter: async (letter, msgId) => {
      await js.publish(deadLetterSubject(def.name), JSON.stringify(letter), { msgID: msgId });
    },
  };
}

// Runs a durable pull consumer (created beforehand with ensureConsumer) until stopped. The nats
// client reconnects by itself and the pull resumes; if pulling ends anyway (consumer gone,
// JetStream unavailable at start), it is started again with a capped backoff.
export function startConsumer<T>(options: ConsumerRunnerOptions<T>): RunningConsumer {
  const { js, consumer: def } = options;
  const log = options.log.child({ consumer: def.name });
  const restartInitialMs = options.restartInitialMs ?? 250;
  const restartMaxMs = options.restartMaxMs ?? 5000;
  const context = deliveryContextOf(options, log);

  const loop = new RestartLoop({ restartInitialMs, restartMaxMs }, log);
  // A retry's wait that a stop cuts short, so that stopping never waits out a backoff.
  let wake: (() => void) | undefined;
  const sleep = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wake = done;
    });
  if (options.retryInPlace) context.retryInPlace = { stopping: () => loop.stopping, sleep };
  let backlogTimer: NodeJS.Timeout | undefined;
  let messages: ConsumerMessages | undefined;
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));

  const consumeOnce = async (): Promise<void> => {
    const consumer = await js.consumers.get(def.stream, def.name);
    const info = await consumer.info(true);
    const workingEveryMs = Math.max(1000, Math.floor(millis(info.config.ack_wait ?? 30_000_000_000) / 3));
    if (options.backlogEveryMs && !backlogTimer) {
      backlogTimer = setInterval(() => {
        consumer
          .info()
          .then((now) => context.metrics.backlog.set({ consumer: def.name }, now.num_pending + now.num_ack_pending))
          .catch((error: unknown) => log.debug('consumer backlog not read', { error: errorMessage(error) }));
      }, options.backlogEveryMs);
      backlogTimer.unref();
    }
    const current = await consumer.consume({ max_messages: options.batchSize ?? 32 });
    messages = current;
    if (loop.stopping) {
      await current.close();
      return;
    }
    void watchStatus(current, log).catch((error: unknown) => log.warn('consumer status watch ended', { error: errorMessage(error) }));
    log.info('consumer pulling', { stream: def.stream, filterSubject: def.filterSubject });
    markReady();
    for await (const msg of current) {
      if (loop.stopping) {
        // Buffered but not started: back to the server at once, for whoever consumes next.
        msg.nak();
        continue;
      }
      await processDelivery(toDelivery(msg), { ...context, workingEveryMs }).catch((error: unknown) => {
        log.error('event handling crashed, will be redelivered', { error: errorMessage(error) });
        msg.nak(context.retryDelayMs(msg.info.deliveryCount));
      });
    }
  };

  loop.start(consumeOnce);

  return {
    ready,
    stop: async () => {
      loop.stop();
      wake?.();
      clearInterval(backlogTimer);
      markReady(); // nobody waiting on ready should hang after a stop
      await messages?.close();
      await loop.done;
    },
  };
}

async function watchStatus(messages: ConsumerMessages, log: Logger): Promise<void> {
  for await (const status of await messages.status()) {
    // Debug notifications (pull requests, discards) are routine; the others say the consumer is
    // not receiving.
    if (['heartbeats_missed', 'consumer_not_found', 'stream_not_found', 'consumer_deleted', 'no_responders'].includes(status.type)) {
      log.warn('consumer status', { type: status.type, data: String(status.data) });
    }
  }
}
