import { CallPathTap } from './call-path-tap';
import { type Registry } from 'prom-client';
import { type CallEvent } from '../shared/events';
import { type Clock, type Scheduler, systemScheduler } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type Database } from '../shared/infra/prisma';
import { type Sql } from '../shared/infra/sql';
import { AgencyAccess } from './agency-access';
import { AgencyService } from './agency-service';
import { interceptAlerts } from './alerts';
import { ContentRecorder } from './content-recorder';
import { ChainCheckpoints } from './chain-checkpoint';
import { EvidenceCipher } from './evidence-cipher';
import { EvidenceKeyRing } from './evidence-keys';
import { EvidenceRewrap } from './evidence-rewrap';
import { createEvidenceLocations, type EvidenceStorageConfig } from './evidence-locations';
import { EvidenceVault } from './evidence-vault';
import { EvidenceVerifier } from './evidence-verifier';
import { InterceptJobs } from './intercept-jobs';
import { Interceptor } from './interceptor';
import { type AuditEntry } from './model';
import { PgCallIntercepts } from './pg-call-intercepts';
import { type ContentTap, type EvidenceLocation, type LiveCallDirectory } from './ports';
import { PrismaInterceptRepository } from './prisma-intercept-repository';
import { RecordingCollector } from './recording-collector';
import { RetentionJob } from './retention';
import { WarrantService } from './warrant-service';

export interface InterceptModuleDeps {
  db: Database;
  // The reads of every call event (pg-call-intercepts.ts).
  sql: Sql;
  tap: ContentTap;
  liveCalls: LiveCallDirectory;
  storage: EvidenceStorageConfig;
  // AES-256 key of evidence at rest (32 bytes); the chain's MAC key is derived from it.
  encryptionKey: Buffer;
  // Keys of before a rotation: they still open old evidence and verify old chain records.
  previousEncryptionKeys?: Buffer[];
  retentionDays: number;
  tickMs: number;
  verifyIntervalMs: number;
  instanceId: string;
  clock: Clock;
  // Timers of the periodic jobs (default: the system's).
  scheduler?: Scheduler;
  log: Logger;
  metrics: Registry;
  // Tests: locations given directly instead of built from `storage`.
  locations?: EvidenceLocation[];
}

// What the admin API uses.
export interface InterceptApi {
  warrants: WarrantService;
  agencies: AgencyService;
  access: AgencyAccess;
  audit(entry: AuditEntry): Promise<void>;
}

export interface InterceptModule extends InterceptApi {
  // The `intercept` consumer's handler for call.v1.* events.
  handleCallEvent(event: CallEvent): Promise<void>;
  verifier: EvidenceVerifier;
  retention: RetentionJob;
  collector: RecordingCollector;
  checkpoints: ChainCheckpoints;
  jobs: InterceptJobs;
  // The call path's own tap at the answer (call-path-tap.ts); refresh() its warrants on a timer.
  callPathTap: CallPathTap;
}

// What both the app and the verification command build: keys, repository, vault, checkpoints.
function evidenceCore(deps: Pick<InterceptModuleDeps, 'db' | 'sql' | 'storage' | 'encryptionKey' | 'previousEncryptionKeys' | 'clock' | 'log' | 'metrics' | 'locations'>) {
  const log = deps.log.child({ module: 'intercept' });
  const keys = new EvidenceKeyRing(deps.encryptionKey, deps.previousEncryptionKeys ?? []);
  const repo = new PrismaInterceptRepository(deps.db, keys, new PgCallIntercepts(deps.sql));
  const alerts = interceptAlerts(log, deps.metrics);
  const vault = new EvidenceVault(deps.locations ?? createEvidenceLocations(deps.storage), new EvidenceCipher(keys));
  const checkpoints = new ChainCheckpoints({ repo, vault, clock: deps.clock, alerts, log });
  const verifier = new EvidenceVerifier({ repo, vault, keys, checkpoints, alerts, log, now: () => deps.clock.now() });
  return { log, keys, repo, alerts, vault, checkpoints, verifier };
}

export function createInterceptModule(deps: InterceptModuleDeps): InterceptModule {
  const { log, repo, alerts, vault, checkpoints, verifier } = evidenceCore(deps);
  const collector = new RecordingCollector({ repo, tap: deps.tap, vault, alerts, clock: deps.clock, log, retentionDays: deps.retentionDays });
  const content = new ContentRecorder({ repo, tap: deps.tap, alerts, clock: deps.clock, log, onRecordingEnded: () => void collector.collectDue() });
  const interceptor = new Interceptor({ repo, content, liveCalls: deps.liveCalls, clock: deps.clock, log });
  const warrants = new WarrantService({ repo, interceptor, clock: deps.clock, log });
  // After a rotation, the verification job also moves old recordings to the current key.
  const rewrap = (deps.previousEncryptionKeys ?? []).length > 0 ? new EvidenceRewrap({ repo, vault, clock: deps.clock, log }) : undefined;
  const retention = new RetentionJob({ repo, vault, clock: deps.clock, log, retentionDays: deps.retentionDays });
  const jobs = new InterceptJobs({
    repo,
    interceptor,
    warrants,
    collector,
    verifier,
    retention,
    checkpoints,
    ...(rewrap ? { rewrap } : {}),
    clock: deps.clock,
    scheduler: deps.scheduler ?? systemScheduler,
    log,
    options: { tickMs: deps.tickMs, verifyIntervalMs: deps.verifyIntervalMs, instanceId: deps.instanceId },
  });
  return {
    handleCallEvent: (event) => interceptor.handle(event),
    warrants,
    agencies: new AgencyService(repo),
    access: new AgencyAccess({ repo, vault }),
    audit: (entry) => repo.appendAudit(entry),
    verifier,
    retention,
    collector,
    checkpoints,
    jobs,
    callPathTap: new CallPathTap({ repo, tap: deps.tap, log }),
  };
}

// Verification and retention on their own (scripts/intercept-verify.sh): no switch, no call events.
export function createEvidenceVerification(deps: Pick<InterceptModuleDeps, 'db' | 'sql' | 'storage' | 'encryptionKey' | 'previousEncryptionKeys' | 'retentionDays' | 'clock' | 'log' | 'metrics' | 'locations'>): {
  verifier: EvidenceVerifier;
  retention: RetentionJob;
  checkpoints: ChainCheckpoints;
  rewrap: EvidenceRewrap;
} {
  const { log, repo, vault, checkpoints, verifier } = evidenceCore(deps);
  return {
    verifier,
    checkpoints,
    retention: new RetentionJob({ repo, vault, clock: deps.clock, log, retentionDays: deps.retentionDays }),
    rewrap: new EvidenceRewrap({ repo, vault, clock: deps.clock, log }),
  };
}

export { liveCallDirectoryOf, type LiveCallSource } from './call-store-directory';
export { startInterceptConsumer } from './intercept-consumer';
export { tapOf } from './content-recorder';
export { firstTapIdOf, type AnsweredCall } from './call-path-tap';
export type { EvidenceStorageConfig } from './evidence-locations';
export type { VerificationReport } from './evidence-verifier';
export type { RewrapReport } from './evidence-rewrap';
export type { Agency, AuditEntry, Recording, ChainedRecord } from './model';
export type { ContentTap, EvidenceLocation, LiveCall, LiveCallDirectory, StoredMedia, Tap, TargetType, WarrantTarget } from './ports';
export type { Warrant } from './warrant';
export type { NewWarrant } from './warrant-service';
export { WarrantNotFoundError, RecordingNotFoundError, AgencyNotFoundError } from './errors';
