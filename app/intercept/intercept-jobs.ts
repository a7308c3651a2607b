import { type Cancel, type Clock, type Scheduler } from '../shared/kernel';
import { errorMessage } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type ChainCheckpoints } from './chain-checkpoint';
import { type EvidenceRewrap } from './evidence-rewrap';
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

// Chain heads are written next to the evidence this often (and after each verification): records
// removed from the end of a chain in the database later than that are found.
const CHECKPOINT_INTERVAL_MS = 60_000;
const VERIFY_JOB = 'intercept-verify';
// When verification is next due lives in the database (li_job_leases), not in a process's timer:
// restarts neither skip it nor repeat it. Each instance looks whether it is due this often, the
// first time shortly after start (jittered, so instances started together do not all ask at once).
const VERIFY_CHECK_MAX_MS = 5 * 60_000;
const FIRST_CHECK_MS = 15_000;
const FIRST_CHECK_JITTER_MS = 30_000;
// A verification that failed is tried again after this (or the interval, if shorter).
const VERIFY_RETRY_MS = 60 * 60_000;
// setTimeout fires at once past 2^31-1 ms (~24.8 days).
const MAX_TIMER_MS = 2 ** 31 - 1;

// The module's periodic work. The tick is cheap and safe on every instance (claims in the
// database); verification and retention run on one instance at a time, when due (a claim).
export class InterceptJobs {
  private tickTimer: NodeJS.Timeout | undefined;
  private verifyTimer: Cancel | undefined;
  private stopped = false;
  private lastTick: Date;
  private lastCheckpoint: Date | undefined;
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
      checkpoints: ChainCheckpoints;
      // Present after a key rotation: old recordings move to the current key.
      rewrap?: EvidenceRewrap;
      clock: Clock;
      scheduler: Scheduler;
      // [0, 1): the first check's jitter.
      random?: () => number;
      log: Logger;
      options: InterceptJobsOptions;
    },
  ) {
    this.lastTick = deps.clock.now();
  }

  start(): void {
    this.tickTimer = setInterval(() => void this.tick(), this.deps.options.tickMs);
    this.tickTimer.unref();
    this.scheduleVerifyCheck(FIRST_CHECK_MS + Math.floor((this.deps.random ?? Math.random)() * FIRST_CHECK_JITTER_MS));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.tickTimer);
    this.verifyTimer?.();
    await Promise.allSettled([this.ticking, this.verifying]);
  }

  private scheduleVerifyCheck(ms: number): void {
    if (this.stopped) return;
    this.verifyTimer = this.deps.scheduler.after(Math.min(ms, MAX_TIMER_MS), () => {
      void this.verifyIfDue().finally(() => this.scheduleVerifyCheck(Math.min(this.deps.options.verifyIntervalMs, VERIFY_CHECK_MAX_MS)));
    });
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
      if (!this.lastCheckpoint || now.getTime() - this.lastCheckpoint.getTime() >= CHECKPOINT_INTERVAL_MS) {
        // Set first: a failing write is alerted by the checkpoints, not retried on every tick.
        this.lastCheckpoint = now;
        await this.deps.checkpoints.write();
      }
    } catch (error) {
      log.warn('intercept tick failed', { error: errorMessage(error) });
    }
  }

  // Verification, retention (and a re-wrap after a key rotation), if due; true when it ran here.
  verifyIfDue(): Promise<boolean> {
    const run = (this.verifying ??= this.runVerify().finally(() => (this.verifying = undefined)));
    return run.then(() => this.lastVerifyRan);
  }

  private lastVerifyRan = false;

  private async runVerify(): Promise<void> {
    const { repo, clock, options } = this.deps;
    const now = clock.now();
    this.lastVerifyRan = false;
    try {
      // Claimed by one instance: the next due time is set at once, then moved on success.
      if (!(await repo.claimDue(VERIFY_JOB, now, new Date(now.getTime() + Math.min(options.verifyIntervalMs, VERIFY_RETRY_MS))))) return;
      this.lastVerifyRan = true;
      await this.deps.rewrap?.run();
      await this.deps.verifier.run();
      await this.deps.retention.run();
      await this.deps.checkpoints.write();
      await repo.scheduleJob(VERIFY_JOB, new Date(clock.now().getTime() + options.verifyIntervalMs));
    } catch (error) {
      this.deps.log.error('intercept verification failed', { error: errorMessage(error) });
    }
  }
}
