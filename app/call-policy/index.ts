import { type Registry } from 'prom-client';
import { type CallPolicyConfig } from '../config';
import { type Logger } from '../shared/infra/logger';
import { errorMessage, type Scheduler, PeriodicJobs } from '../shared/kernel';
import { CallAdmissionPolicy } from './call-admission';
import { EmergencyCarrierCache } from './emergency-carriers';
import { EmergencyNumbers } from './emergency-numbers';
import { type EmergencyCarrierSource, type SubscriberStanding } from './ports';
import { PrometheusPolicyMetrics } from './prometheus-policy-metrics';

export interface CallPolicyModule {
  admission: CallAdmissionPolicy;
  // Reads the emergency carriers now, then every refresh interval (stop it on shutdown).
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createCallPolicyModule(deps: { config: CallPolicyConfig; carriers: EmergencyCarrierSource; standing: SubscriberStanding; metrics: Registry; scheduler: Scheduler; log: Logger }): CallPolicyModule {
  const log = deps.log.child({ module: 'call-policy' });
  const cache = new EmergencyCarrierCache(deps.carriers, log);
  const jobs = new PeriodicJobs(deps.scheduler, (job, error) => log.error('call policy job failed', { job, error: errorMessage(error) }));
  return {
    admission: new CallAdmissionPolicy(new EmergencyNumbers(deps.config.emergencyNumbers), cache, new PrometheusPolicyMetrics(deps.metrics), log, deps.standing),
    start: async () => {
      await cache.refresh();
      jobs.every('emergency carriers refresh', deps.config.emergencyCarrierRefreshMs, () => cache.refresh());
    },
    stop: () => jobs.stop(),
  };
}

export { CallAdmissionPolicy } from './call-admission';
export { EmergencyNumbers, type EmergencyMatch } from './emergency-numbers';
export { EmergencyCarrierCache } from './emergency-carriers';
export type { EmergencyCarrier, EmergencyCarrierSource, PolicyMetrics, SubscriberStanding } from './ports';
