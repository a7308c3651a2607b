import { type Clock } from '../shared/kernel';
import { errorMessage } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type EvidenceVerifier } from './evidence-verifier';
import { type Interceptor } from './interceptor';
import { type InterceptRepository } from './model';
import { type RecordingCollector } from './recording-collector';
import { type RetentionJob } from './retention';
import { type WarrantService } from './warrant-service';

export interface InterceptJobsOptions {
  // Validity windows opening or closing, content retries, collection of recordings.
  tickMs: number;
  // Verification of every copy and chain, then retention.
  verifyIntervalMs: number;
  instanceId: string;
}

// The module's periodic work. The tick is cheap and safe on every instance (claims in the
// database); verification and retention run on one instance at a time (a lease).
export class InterceptJobs {
  private tickTimer: NodeJS.Timeout | undefined;
  private verifyTimer: NodeJS.Timeout | undefined;
  private lastTick: Date;
  private ticking: Promise<void> | undefined;
  private verifying: Promise<void> | undefined;

  constructor(
    private readonly deps: {
      repo: InterceptRepository;
      interceptor: Interceptor;
      warrants: WarrantService;
      collector: RecordingCollector;
      verifier: EvidenceVerifier;
      retention: RetentionJob;
      clock: Clock;
      log: Logger;
      options: InterceptJobsOptions;
    },
  ) {
    this.lastTick = deps.clock.now();
  }

  start(): void {
    this.tickTimer = setInterval(() => void this.tick(), this.deps.options.tickMs);
    this.verifyTimer = setInterval(() => void this.verifyAndPurge(), this.deps.options.verifyIntervalMs);
    this.tickTimer.unref();
    this.verifyTimer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.tickTimer);
    clearInterval(this.verifyTimer);
    await Promise.allSettled([this.ticking, this.verifying]);
  }

  tick(): Promise<void> {
    this.ticking ??= this.runTick().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async runTick(): Promise<void> {
    const { repo, warrants, interceptor, collector, clock, log } = this.deps;
    const now = clock.now();
    const since = this.lastTick;
    try {
      for (const warrant of await repo.warrantsOpening(since, now)) await warrants.reconcile(warrant, 'validity_started');
      for (const warrant of await repo.warrantsClosing(since, now)) await warrants.reconcile(warrant, 'validity_ended');
      this.lastTick = now;
      for (const intercept of await repo.contentRetriesDue(now)) await interceptor.retryContent(intercept);
      await collector.collectDue();
    } catch (error) {
      log.warn('intercept tick failed', { error: errorMessage(error) });
    }
  }

  private verifyAndPurge(): Promise<void> {
    this.verifying ??= this.runVerify().finally(() => (this.verifying = undefined));
    return this.verifying;
  }

  private async runVerify(): Promise<void> {
    const { repo, clock, options } = this.deps;
    const now = clock.now();
    try {
      if (!(await repo.tryLease('intercept-verify', options.instanceId, now, new Date(now.getTime() + options.verifyIntervalMs / 2)))) return;
      await this.deps.verifier.run();
      await this.deps.retention.run();
    } catch (error) {
      this.deps.log.error('intercept verification failed', { error: errorMessage(error) });
    }
  }
}
