import { PermanentEventError } from '../../events';
import { errorMessage } from '../../kernel';
import { type Logger } from '../logger';
import { type Delivery, type DeliveryContext, type DeliveryOutcome } from './consumer-runner';

// A consumer held up this long by one event raises an error log (besides the gauge).
const HELD_UP_ALERT_MS = 60_000;

// A consumer whose events must neither be lost nor reordered (lawful intercept): a transient
// failure is retried right here, with the capped backoff, while the server is told the message is
// still being worked on; the events behind it wait. Only a permanent error dead-letters.
export async function retryInPlace<T>(
  delivery: Delivery,
  event: T,
  ctx: DeliveryContext<T>,
  control: NonNullable<DeliveryContext<T>['retryInPlace']>,
  log: Logger,
  deadLetterWith: (reason: string) => Promise<DeliveryOutcome>,
): Promise<DeliveryOutcome> {
  const labels = { consumer: ctx.consumer };
  const ticker = setInterval(() => delivery.working(), ctx.workingEveryMs);
  let firstFailedAt: number | undefined;
  // The gauge follows the hold-up by the second, not only at each failed attempt.
  const gaugeTicker = setInterval(() => {
    if (firstFailedAt !== undefined) ctx.metrics.heldUpSeconds.set(labels, (Date.now() - firstFailedAt) / 1000);
  }, 1000);
  try {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await ctx.handle(event, { subject: delivery.subject, deliveryCount: delivery.deliveryCount, streamSeq: delivery.streamSeq });
        delivery.ack();
        ctx.metrics.consumed.inc(labels);
        return 'acked';
      } catch (error) {
        if (error instanceof PermanentEventError) return await deadLetterWith(errorMessage(error));
        ctx.metrics.retriedInPlace.inc(labels);
        firstFailedAt ??= Date.now();
        const heldUpMs = Date.now() - firstFailedAt;
        ctx.metrics.heldUpSeconds.set(labels, heldUpMs / 1000);
        const delayMs = ctx.retryDelayMs(attempt);
        const fields = { error: errorMessage(error), attempt, heldUpMs, retryInMs: delayMs };
        if (heldUpMs >= HELD_UP_ALERT_MS) log.error('consumer held up by an event that keeps failing', fields);
        else log.warn('event handling failed, retrying in place', fields);
        if (control.stopping()) {
          // Back to the server for whoever consumes next; nothing is lost.
          delivery.nak(0);
          return 'retry';
        }
        await control.sleep(delayMs);
      }
    }
  } finally {
    clearInterval(ticker);
    clearInterval(gaugeTicker);
    ctx.metrics.heldUpSeconds.set(labels, 0);
  }
}

