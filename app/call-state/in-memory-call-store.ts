import { type PublishableEvent } from '../shared/events';
import { type Call } from './call';
import { type CallStore } from './ports';

// Live calls in this process's memory, and the events they queued. For unit tests; production
// keeps calls in Redis (RedisCallStore).
export class InMemoryCallStore implements CallStore {
  private readonly calls = new Map<string, Call>();
  readonly queued: PublishableEvent[] = [];

  // instanceId: the instance that saves through this store (recorded as the calls' owner).
  constructor(private readonly instanceId?: string) {}

  save(call: Call, events: PublishableEvent[] = []): Promise<void> {
    if (this.instanceId !== undefined) call.owner = this.instanceId;
    this.calls.set(call.id, call);
    this.queued.push(...events);
    return Promise.resolve();
  }

  claim(callId: string, owner: string | undefined): Promise<Call | undefined> {
    const call = this.calls.get(callId);
    if (!call || call.owner !== owner) return Promise.resolve(undefined);
    call.owner = this.instanceId;
    return Promise.resolve(call);
  }

  get(callId: string): Promise<Call | undefined> {
    return Promise.resolve(this.calls.get(callId));
  }

  delete(call: Call, events: PublishableEvent[] = []): Promise<void> {
    this.calls.delete(call.id);
    this.queued.push(...events);
    return Promise.resolve();
  }

  liveCalls(): Promise<Call[]> {
    return Promise.resolve([...this.calls.values()]);
  }

  liveCallsOf(userId: string): Promise<Call[]> {
    return Promise.resolve([...this.calls.values()].filter((call) => call.caller.userId === userId || call.callee?.userId === userId));
  }

  touch(): Promise<void> {
    return Promise.resolve();
  }
}
