import { type Call } from './call';
import { type CallStore } from './ports';

// Live calls in this process's memory. Used by unit tests; production keeps them in Redis.
export class InMemoryCallStore implements CallStore {
  private readonly calls = new Map<string, Call>();
  private readonly channels = new Map<string, string>();

  save(call: Call): Promise<void> {
    this.calls.set(call.id, call);
    for (const channelId of call.channelIds()) this.channels.set(channelId, call.id);
    return Promise.resolve();
  }

  get(callId: string): Promise<Call | undefined> {
    return Promise.resolve(this.calls.get(callId));
  }

  callIdOfChannel(channelId: string): Promise<string | undefined> {
    return Promise.resolve(this.channels.get(channelId));
  }

  delete(call: Call): Promise<void> {
    this.calls.delete(call.id);
    for (const channelId of call.channelIds()) this.channels.delete(channelId);
    return Promise.resolve();
  }

  liveCalls(): Promise<Call[]> {
    return Promise.resolve([...this.calls.values()]);
  }
}
