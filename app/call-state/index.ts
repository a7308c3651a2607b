import { CallStateManager, type CallStateManagerDeps } from './call-state-manager';

export type CallStateModuleDeps = CallStateManagerDeps;

export function createCallStateModule(deps: CallStateModuleDeps): CallStateManager {
  return new CallStateManager({ ...deps, log: deps.log.child({ module: 'call-state' }) });
}

export { CallStateManager, type CallStateManagerDeps } from './call-state-manager';
export { CallOperations, CallNodeUnreachableError, CallNotFoundError, CallAlreadyEndedError, CallUserNotFoundError, viewOf, type CallView, type EndedCallLookup } from './call-operations';
export { CallerUnreachableError } from './click-to-call';
export { InMemoryCallStore } from './in-memory-call-store';
export { RedisCallStore, type RedisCallStoreOptions } from './redis-call-store';
export { PrometheusCallMetrics } from './prometheus-call-metrics';
// Leases and stranded-outbox adoption live with the outbox (shared/infra/outbox); re-exported for the call state manager's users.
export { InstanceIdInUseError, RedisInstanceRegistry, type RedisInstanceRegistryOptions, RedisStrandedOutboxes, type RedisStrandedOutboxesOptions } from '../shared/infra/outbox';
export { ENDED_WHILE_DISCONNECTED } from './call-recovery';
export { CorruptCallStateError } from './call-codec';
export { Call, type Party, type Leg, type LegOutcome, type CallSnapshot } from './call';
export { type LegState, type LegStateName, type LegFailure } from './leg-states';
export * from './states';
export * from './ports';
export * from './call-admission-port';
export { sipCodeOf, legOutcomeOf, endCauseOfFailedLegs, isRetryableOnAnotherCarrier } from './end-causes';
