import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT, testEnv } from './test-env';

// The real application (dist/app/main.js and its workers, as `npm start` runs them) as child
// processes of the test.
export class AppProcess {
  readonly output: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    // The workers (dist/app/bin/workers-main.js: consumers, registration watcher), started beside
    // the controller as `npm start` does; signal() reaches only the controller, stop() both.
    private readonly workers: ChildProcess,
  ) {
    const collect = (chunk: Buffer): void => {
      this.output.push(...chunk.toString().split('\n').filter(Boolean));
    };
    for (const proc of [child, workers]) {
      proc.stdout?.on('data', collect);
      proc.stderr?.on('data', collect);
    }
  }

  static async start(overrides: Record<string, string> = {}): Promise<AppProcess> {
    // The controller logs in with its own database role, as in production (prisma/roles.sql).
    // A second instance on an admin port of its own: its workers' /metrics (ADMIN_PORT + 1 by
    // default) takes the port below it, since the one above may be the profile's (ARI's is +8).
    const ownWorkersPort = overrides.ADMIN_PORT !== undefined && overrides.WORKERS_METRICS_PORT === undefined ? { WORKERS_METRICS_PORT: String(Number(overrides.ADMIN_PORT) - 1) } : {};
    const env = { ...testEnv.all, DATABASE_URL: testEnv.appDatabaseUrl, NODE_ENV: 'test', ADMIN_TOKEN: testEnv.adminToken, LOG_LEVEL: 'debug', ...overrides, ...ownWorkersPort };
    const spawnMain = (main: string): ChildProcess => spawn(process.execPath, ['--enable-source-maps', join(PROJECT_ROOT, main)], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const child = spawnMain('dist/app/main.js');
    const workers = spawnMain('dist/app/bin/workers-main.js');
    const app = new AppProcess(child, workers);
    // Never outlive the test run: a forgotten controller or workers would go on consuming events.
    for (const proc of [child, workers]) {
      const killOnExit = (): void => {
        if (proc.exitCode === null) proc.kill('SIGKILL');
      };
      process.once('exit', killOnExit);
      proc.once('exit', () => process.removeListener('exit', killOnExit));
    }
    try {
      // Two processes start (controller and workers): on a loaded machine that takes a while.
      await app.waitUntilReady(60_000);
    } catch (error) {
      // A controller that was slow to get ready (a loaded machine) still holds its instance id:
      // left running, it would keep every later test's controller from starting.
      await app.stop('SIGKILL');
      throw error;
    }
    return app;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  // Ready when the admin API answers and the ARI events websocket is connected.
  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`app exited (${this.child.exitCode}):\n${this.output.join('\n')}`);
      if (this.workers.exitCode !== null) throw new Error(`workers exited (${this.workers.exitCode}):\n${this.output.join('\n')}`);
      const connected = this.output.some((line) => line.includes('"switch connected"')) && this.output.some((line) => line.includes('"calling workers started"'));
      if (connected) {
        try {
          const res = await fetch(`${testEnv.adminUrl}/healthz`);
          if (res.status === 200) return;
        } catch {
          // not listening yet
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`app not ready within ${timeoutMs} ms:\n${this.output.slice(-30).join('\n')}`);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    await Promise.all([stopProcess(this.child, signal), stopProcess(this.workers, signal)]);
  }

  get workersPid(): number | undefined {
    return this.workers.pid;
  }

  // Sends a signal and returns at once (SIGSTOP/SIGCONT freeze and resume the controller).
  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  logLines(message: string): Record<string, unknown>[] {
    return this.output
      .filter((line) => line.startsWith('{') && line.includes(`"message":"${message}"`))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await exited;
}
