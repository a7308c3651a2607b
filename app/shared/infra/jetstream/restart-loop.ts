import { errorMessage } from '../../kernel';
import { type Logger } from '../logger';

export interface RestartSettings {
  restartInitialMs: number;
  restartMaxMs: number;
}

// Runs a consumer's pull (`consumeOnce`) again whenever it ends until stopped: at once after a
// clean end, with a capped exponential backoff after a failure (consumer gone, JetStream not yet
// available). The pull reads `stopping` to hand back what it has not started.
export class RestartLoop {
  private stopped = false;
  private cancelSleep: (() => void) | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly settings: RestartSettings,
    private readonly log: Logger,
  ) {}

  get stopping(): boolean {
    return this.stopped;
  }

  start(consumeOnce: () => Promise<void>): void {
    this.running = this.run(consumeOnce);
  }

  // Ends the loop: no more restarts, a pending backoff is cut short. `done` resolves after the pull.
  stop(): void {
    this.stopped = true;
    this.cancelSleep?.();
  }

  get done(): Promise<void> {
    return this.running;
  }

  private async run(consumeOnce: () => Promise<void>): Promise<void> {
    const { restartInitialMs, restartMaxMs } = this.settings;
    let attempt = 0;
    while (!this.stopped) {
      try {
        await consumeOnce();
        if (this.stopped) break;
        this.log.warn('consumer stopped pulling, restarting');
        attempt = 0;
        await this.sleep(restartInitialMs);
      } catch (error) {
        if (this.stopped) break;
        attempt += 1;
        const delayMs = Math.min(restartInitialMs * 2 ** (attempt - 1), restartMaxMs);
        this.log.warn('consumer failed, restarting', { error: errorMessage(error), attempt, retryInMs: delayMs });
        await this.sleep(delayMs);
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.cancelSleep = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
