import { type Registry } from 'prom-client';
import { type CallPolicyConfig } from '../config';
import { type Logger } from '../shared/infra/logger';
import { type DirectoryChange, type DirectoryChanges } from '../shared/events';
import { type Redis } from '../shared/infra/redis';
import { type SqlQueries } from '../shared/infra/sql';
import { errorMessage, type Scheduler, PeriodicJobs } from '../shared/kernel';
import { Blocklist } from './blocklist';
import { CallAdmissionPolicy } from './call-admission';
import { EmergencyCarrierCache } from './emergency-carriers';
import { EmergencyNumbers } from './emergency-numbers';
import { FraudCaps } from './fraud-caps';
import { PgPolicyStore } from './pg-policy-store';
import { PolicyAdmin } from './policy-admin';
import { type EmergencyCarrierSource, type SubscriberStanding } from './ports';
import { PrometheusPolicyMetrics } from './prometheus-policy-metrics';
import { RedisCallCounters } from './redis-call-counters';
import { SettingsCache } from './settings-cache';

export interface CallPolicyModule {
  admission: CallAdmissionPolicy;
  admin: PolicyAdmin;
  // Reads the emergency carriers and the blocklist now, then every refresh interval (stop it on shutdown).
  start(): Promise<void>;
  stop(): Promise<void>;
  applyChange(change: DirectoryChange): Promise<void>;
}

export interface CallPolicyModuleDeps {
  config: CallPolicyConfig;
  carriers: EmergencyCarrierSource;
  standing: SubscriberStanding;
  sql: SqlQueries;
  redis: Redis;
  metrics: Registry;
  scheduler: Scheduler;
  log: Logger;
  changes?: DirectoryChanges;
}

export function createCallPolicyModule(deps: CallPolicyModuleDeps): CallPolicyModule {
  const log = deps.log.child({ module: 'call-policy' });
  const config = deps.config;
  const cache = new EmergencyCarrierCache(deps.carriers, log);
  const store = new PgPolicyStore(deps.sql);
  const settings = new SettingsCache(store, config.cacheMs);
  const blocklist = new Blocklist(config.blockedPrefixes, store, log);
  const counters = new RedisCallCounters(deps.redis);
  const metrics = new PrometheusPolicyMetrics(deps.metrics);
  const fraud = new FraudCaps(blocklist, store, counters, metrics, { destinationCallsPerMinute: config.destinationCallsPerMinute, destinationBlockMinutes: config.destinationBlockMinutes }, log);
  const jobs = new PeriodicJobs(deps.scheduler, (job, error) => log.error('call policy job failed', { job, error: errorMessage(error) }));
  return {
    admission: new CallAdmissionPolicy({ numbers: new EmergencyNumbers(config.emergencyNumbers), emergencyCarriers: cache, metrics, log, standing: deps.standing, settings, counters, fraud }),
    admin: new PolicyAdmin(store, settings, blocklist, deps.changes),
    start: async () => {
      await Promise.all([cache.refresh(), blocklist.refresh()]);
      jobs.every('emergency carriers refresh', config.emergencyCarrierRefreshMs, () => cache.refresh());
      jobs.every('blocked prefixes refresh', Math.max(config.cacheMs, 1000), () => blocklist.refresh());
    },
    stop: () => jobs.stop(),
    // A change made on another instance: read again at once.
    applyChange: async (change) => {
      if (change.kind === 'call_policy') settings.forget(change.userId);
      else if (change.kind === 'blocklist') await blocklist.refresh();
    },
  };
}

export { CallAdmissionPolicy, type CallAdmissionDeps } from './call-admission';
export { EmergencyNumbers, type EmergencyMatch } from './emergency-numbers';
export { EmergencyCarrierCache } from './emergency-carriers';
export { PolicyAdmin, PolicyTargetNotFoundError, BlockedPrefixNotFoundError, InvalidPolicyError } from './policy-admin';
export { RedisCallCounters } from './redis-call-counters';
export type { BlockedPrefix, CallPolicyChange, CallPolicySettings, EmergencyCarrier, EmergencyCarrierSource, PolicyMetrics, SubscriberStanding } from './ports';
