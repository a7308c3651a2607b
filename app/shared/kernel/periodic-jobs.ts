import { type Cancel, type Scheduler } from './clock';

// A process's background work: each job runs every `everyMs` (the first time after `firstMs`), one
// run at a time (the next is scheduled when a run ends, so a slow run is never overlapped). A
// failure is reported and the job runs again at its next turn. stop() cancels what is pending and
// waits for the runs in progress.
export class PeriodicJobs {
  private readonly pending = new Set<Cancel>();
  private running: Promise<unknown> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly onFailure: (job: string, error: unknown) => void,
  ) {}

  every(job: string, everyMs: number, task: () => Promise<unknown>, firstMs = everyMs): void {
    const next = (ms: number): void => {
      if (this.stopped) return;
      const cancel = this.scheduler.after(ms, () => {
        this.pending.delete(cancel);
        const run = task().catch((error: unknown) => this.onFailure(job, error));
        this.running = Promise.all([this.running, run]);
        void run.then(() => next(everyMs));
      });
      this.pending.add(cancel);
    };
    next(firstMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const cancel of this.pending) cancel();
    this.pending.clear();
    await this.running;
  }
}
