import { type Cancel, type Clock, errorMessage, type Scheduler } from '../shared/kernel';
import { type Logger } from '../shared/infra/logger';
import { type QualityStore } from './ports';
import { type RoutingService } from './routing-service';

// How often an instance asks whether the batch is due.
const BATCH_CHECK_MS = 60_000;

export interface RoutingJobSettings {
  refreshMs: number;
  batchIntervalMs: number;
}

// The module's timers: refresh (flags, decks, batch, other instances' speed minutes) every
// refreshMs, and the batch layer when its last run (by any instance, as stored) is older than the
// interval. One of each at a time.
export class RoutingJobs {
  private cancels: Cancel[] = [];
  private running: Promise<unknown> = Promise.resolve();
  private stopped = true;

  constructor(
    private readonly service: RoutingService,
    private readonly store: QualityStore,
    private readonly scheduler: Scheduler,
    private readonly clock: Clock,
    private readonly settings: RoutingJobSettings,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop('refresh', this.settings.refreshMs, () => this.service.refresh());
    this.loop('batch', BATCH_CHECK_MS, () => this.batchIfDue(), 0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const cancel of this.cancels.splice(0)) cancel();
    await this.running;
  }

  async batchIfDue(): Promise<boolean> {
    const last = await this.store.batchRun();
    if (last && this.clock.now().getTime() - last.computedAt.getTime() < this.settings.batchIntervalMs) return false;
    await this.service.runBatch();
    return true;
  }

  private loop(name: string, everyMs: number, task: () => Promise<unknown>, firstMs = everyMs): void {
    const next = (ms: number): void => {
      if (this.stopped) return;
      const cancel = this.scheduler.after(ms, () => {
        this.cancels = this.cancels.filter((c) => c !== cancel);
        const work = task().catch((error: unknown) => this.log.error('routing job failed', { job: name, error: errorMessage(error) }));
        this.running = Promise.all([this.running, work]);
        void work.then(() => next(everyMs));
      });
      this.cancels.push(cancel);
    };
    next(firstMs);
  }
}
