import { type Registry } from 'prom-client';
import { type CallEvent } from '../shared/events';
import { type Clock } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type Database } from '../shared/infra/prisma';
import { AgencyAccess } from './agency-access';
import { AgencyService } from './agency-service';
import { interceptAlerts } from './alerts';
import { ContentRecorder } from './content-recorder';
import { EvidenceCipher } from './evidence-cipher';
import { createEvidenceLocations, type EvidenceStorageConfig } from './evidence-locations';
import { EvidenceVault } from './evidence-vault';
import { EvidenceVerifier } from './evidence-verifier';
import { InterceptJobs } from './intercept-jobs';
import { Interceptor } from './interceptor';
import { type AuditEntry } from './model';
import { type ContentTap, type EvidenceLocation, type LiveCallDirectory } from './ports';
import { PrismaInterceptRepository } from './prisma-intercept-repository';
import { RecordingCollector } from './recording-collector';
import { RetentionJob } from './retention';
import { WarrantService } from './warrant-service';

export interface InterceptModuleDeps {
  db: Database;
  tap: ContentTap;
  liveCalls: LiveCallDirectory;
  storage: EvidenceStorageConfig;
  // AES-256 key of evidence at rest (32 bytes).
  encryptionKey: Buffer;
  retentionDays: number;
  tickMs: number;
  verifyIntervalMs: number;
  instanceId: string;
  clock: Clock;
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
  jobs: InterceptJobs;
}

export function createInterceptModule(deps: InterceptModuleDeps): InterceptModule {
  const log = deps.log.child({ module: 'intercept' });
  const repo = new PrismaInterceptRepository(deps.db);
  const alerts = interceptAlerts(log, deps.metrics);
  const vault = new EvidenceVault(deps.locations ?? createEvidenceLocations(deps.storage), new EvidenceCipher(deps.encryptionKey));
  const collector = new RecordingCollector({ repo, tap: deps.tap, vault, alerts, clock: deps.clock, log, retentionDays: deps.retentionDays });
  const content = new ContentRecorder({ repo, tap: deps.tap, alerts, clock: deps.clock, log, onRecordingEnded: () => void collector.collectDue() });
  const interceptor = new Interceptor({ repo, content, liveCalls: deps.liveCalls, clock: deps.clock, log });
  const warrants = new WarrantService({ repo, interceptor, clock: deps.clock, log });
  const verifier = new EvidenceVerifier({ repo, vault, alerts, log, now: () => deps.clock.now() });
  const retention = new RetentionJob({ repo, vault, clock: deps.clock, log, retentionDays: deps.retentionDays });
  const jobs = new InterceptJobs({
    repo,
    interceptor,
    warrants,
    collector,
    verifier,
    retention,
    clock: deps.clock,
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
    jobs,
  };
}

// Verification and retention on their own (scripts/intercept-verify.sh): no switch, no call events.
export function createEvidenceVerification(deps: Pick<InterceptModuleDeps, 'db' | 'storage' | 'encryptionKey' | 'retentionDays' | 'clock' | 'log' | 'metrics' | 'locations'>): {
  verifier: EvidenceVerifier;
  retention: RetentionJob;
} {
  const log = deps.log.child({ module: 'intercept' });
  const repo = new PrismaInterceptRepository(deps.db);
  const vault = new EvidenceVault(deps.locations ?? createEvidenceLocations(deps.storage), new EvidenceCipher(deps.encryptionKey));
  return {
    verifier: new EvidenceVerifier({ repo, vault, alerts: interceptAlerts(log, deps.metrics), log, now: () => deps.clock.now() }),
    retention: new RetentionJob({ repo, vault, clock: deps.clock, log, retentionDays: deps.retentionDays }),
  };
}

export { liveCallDirectoryOf, type LiveCallSource } from './call-store-directory';
export { tapOf } from './content-recorder';
export type { EvidenceStorageConfig } from './evidence-locations';
export type { VerificationReport } from './evidence-verifier';
export type { Agency, AuditEntry, Recording, ChainedRecord } from './model';
export type { ContentTap, EvidenceLocation, LiveCall, LiveCallDirectory, StoredMedia, Tap, TargetType, WarrantTarget } from './ports';
export type { Warrant } from './warrant';
export type { NewWarrant } from './warrant-service';
export { WarrantNotFoundError, RecordingNotFoundError, AgencyNotFoundError } from './errors';
