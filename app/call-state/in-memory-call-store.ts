import { type PublishableEvent } from '../shared/events';
import { type Call } from './call';
import { type CallStore } from './ports';

// Live calls in this process's memory, and the events they queued. For unit tests; production
// keeps calls in Redis (RedisCallStore).
export class InMemoryCallStore implements CallStore {
  private readonly calls = new Map<string, Call>();
  readonly queued: PublishableEvent[] = [];

  save(call: Call, events: PublishableEvent[] = []): Promise<void> {
    this.calls.set(call.id, call);
    this.queued.push(...events);
    return Promise.resolve();
  }

  get(callId: string): Promise<Call | undefined> {
    return Promise.resolve(this.calls.get(callId));
  }

  delete(callId: string, events: PublishableEvent[] = []): Promise<void> {
    this.calls.delete(callId);
    this.queued.push(...events);
    return Promise.resolve();
  }

  liveCalls(): Promise<Call[]> {
    return Promise.resolve([...this.calls.values()]);
  }

  touch(): Promise<void> {
    return Promise.resolve();
  }
}
