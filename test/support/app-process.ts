import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT, testEnv } from './test-env';

// The real application (dist/app/main.js, as `npm start` runs it) as a child process of the test.
export class AppProcess {
  readonly output: string[] = [];

  private constructor(private readonly child: ChildProcess) {
    const collect = (chunk: Buffer): void => {
      this.output.push(...chunk.toString().split('\n').filter(Boolean));
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
  }

  static async start(overrides: Record<string, string> = {}): Promise<AppProcess> {
    const child = spawn(process.execPath, ['--enable-source-maps', join(PROJECT_ROOT, 'dist/app/main.js')], {
      cwd: PROJECT_ROOT,
      // The controller logs in with its own database role, as in production (prisma/roles.sql).
      env: { ...testEnv.all, DATABASE_URL: testEnv.appDatabaseUrl, NODE_ENV: 'test', ADMIN_TOKEN: testEnv.adminToken, LOG_LEVEL: 'debug', ...overrides },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const app = new AppProcess(child);
    // Never outlive the test run: a forgotten controller would go on consuming events.
    const killOnExit = (): void => {
      if (child.exitCode === null) child.kill('SIGKILL');
    };
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    try {
      await app.waitUntilReady(30_000);
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
      const connected = this.output.some((line) => line.includes('"switch connected"'));
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
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill(signal);
    await exited;
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
