import { expect } from 'chai';
import { CallStateManager, type CallStateManagerDeps, InMemoryCallStore, type Party } from '../../../app/call-state';
import { type CallEnded } from '../../../app/shared/events';
import { silentLogger } from '../../../app/shared/infra/logger';
import { FakeSwitch } from '../../support/fakes/fake-switch';
import { ManualTime } from '../../support/fakes/manual-scheduler';

export interface Harness {
  manager: CallStateManager;
  sw: FakeSwitch;
  store: InMemoryCallStore;
  time: ManualTime;
}

// A call state manager on fakes (switch, manual time, in-memory store) whose directory knows these
// parties by username, and where bob has one registered device; `deps` adds or replaces the rest.
export function harness(parties: Party[], deps: Partial<Omit<CallStateManagerDeps, 'switchControl' | 'store' | 'clock' | 'scheduler'>> = {}): Harness {
  const sw = new FakeSwitch();
  const time = new ManualTime();
  const store = new InMemoryCallStore();
  const manager = new CallStateManager({
    switchControl: sw,
    directory: {
      findByUsername: (username) => Promise.resolve(parties.find((party) => party.username === username)),
      findByDialed: (dialed) => Promise.resolve(parties.find((party) => party.username === dialed)),
    },
    connections: { connectionsOf: () => Promise.resolve([{ contactUri: 'sip:bob@10.0.0.1:5062' }]) },
    store,
    clock: time,
    scheduler: time,
    log: silentLogger,
    ringTimeoutSeconds: 30,
    ...deps,
  });
  return { manager, sw, store, time };
}

// alice calls bob and his device answers at once; the call's id.
export async function answeredCall({ manager, sw, time }: Pick<Harness, 'manager' | 'sw' | 'time'>): Promise<string> {
  await manager.handle({ type: 'call.arrived', channelId: 'caller-1', origin: { kind: 'user', username: 'alice' }, dialed: 'bob', at: time.now() });
  const leg = sw.originated()[0];
  if (!leg) expect.fail('nothing dialled');
  await manager.handle({ type: 'leg.answered', channelId: leg.channelId, callId: leg.callId, at: time.now() });
  return leg.callId;
}

// Moves time on and lets the timer work it queued run.
export async function advance(time: ManualTime, ms: number): Promise<void> {
  time.advance(ms);
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

export const endedEvent = (store: InMemoryCallStore): CallEnded | undefined => store.queued.find((event) => event.type === 'call.v1.ended') as CallEnded | undefined;
