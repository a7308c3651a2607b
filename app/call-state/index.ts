import { type Clock, type Scheduler } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { CallStateManager } from './call-state-manager';
import { type CallAuthorizer, type CallStore, type ConnectionLookup, type SubscriberDirectory, type SwitchControl } from './ports';

export interface CallStateModuleDeps {
  switchControl: SwitchControl;
  directory: SubscriberDirectory;
  connections: ConnectionLookup;
  store: CallStore;
  clock: Clock;
  scheduler: Scheduler;
  log: Logger;
  ringTimeoutSeconds: number;
  authorizer?: CallAuthorizer;
}

export function createCallStateModule(deps: CallStateModuleDeps): CallStateManager {
  return new CallStateManager({ ...deps, log: deps.log.child({ module: 'call-state' }) });
}

export { CallStateManager } from './call-state-manager';
export { CallOperations, CallNotFoundError, CallAlreadyEndedError, viewOf, type CallView, type EndedCallLookup } from './call-operations';
export { InMemoryCallStore } from './in-memory-call-store';
export { RedisCallStore, type RedisCallStoreOptions } from './redis-call-store';
export { CorruptCallStateError } from './call-codec';
export { Call, type Party, type Leg, type LegOutcome, type CallSnapshot } from './call';
export * from './states';
export * from './ports';
export { sipCodeOf, legOutcomeOf, endCauseOfFailedLegs } from './end-causes';
