import { type NatsConnection, type Subscription } from 'nats';
import { STREAMS } from '../shared/events';
import { type Logger } from '../shared/infra/logger';
import { errorMessage } from '../shared/kernel';
import { type CallChanges } from './ports';

// Every call event of every node (call.v1.*, published to JetStream, which a plain NATS
// subscription on the same subjects also receives), heard through one subscription that the open
// console feeds share; nothing is acked or kept, so it costs the streams nothing. Subscribed while
// at least one feed listens.
export class NatsCallChanges implements CallChanges {
  private readonly listeners = new Set<() => void>();
  private subscription: Subscription | undefined;

  constructor(
    private readonly nats: Pick<NatsConnection, 'subscribe'>,
    private readonly log: Logger,
  ) {}

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    if (!this.subscription) this.open();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.subscription) {
        this.subscription.unsubscribe();
        this.subscription = undefined;
      }
    };
  }

  private open(): void {
    const subscription = this.nats.subscribe(STREAMS.callEvents.subjects[0], {
      callback: (error) => {
        if (error) {
          this.log.warn('console call-change subscription failed', { error: errorMessage(error) });
          return;
        }
        for (const listener of this.listeners) listener();
      },
    });
    this.subscription = subscription;
  }
}
