import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The controller as `npm start` runs it (dist/app/main.js: call path and admin API) and its workers
// (dist/app/bin/workers-main.js: the consumers of its events), started by the bench once per call
// path (CALL_PATH), with their logs in the run's directory.
export interface RunningController {
  pid: number;
  workersPid: number;
  log: string;
  stop(): Promise<void>;
}

export async function startController(options: { projectRoot: string; outDir: string; callPath: 'stasis' | 'dialplan'; adminUrl: string; nodeArgs: string[] }): Promise<RunningController> {
  const log = join(options.outDir, `app-${options.callPath}.log`);
  const out = openSync(log, 'w');
  const child: ChildProcess = spawn(process.execPath, [...options.nodeArgs, '--enable-source-maps', join(options.projectRoot, 'dist', 'app', 'main.js')], {
    cwd: options.projectRoot,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', CALL_PATH: options.callPath },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const workersLog = join(options.outDir, `workers-${options.callPath}.log`);
  const workersOut = openSync(workersLog, 'w');
  const workers: ChildProcess = spawn(process.execPath, [...options.nodeArgs, '--enable-source-maps', join(options.projectRoot, 'dist', 'app', 'bin', 'workers-main.js')], {
    cwd: options.projectRoot,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', CALL_PATH: options.callPath },
    stdio: ['ignore', workersOut, workersOut],
  });
  closeSync(workersOut);
  const workersExited = new Promise<void>((resolve) => workers.once('exit', () => resolve()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the controller (${options.callPath}) exited, see ${log}`);
    if (workers.exitCode !== null) throw new Error(`the workers (${options.callPath}) exited, see ${workersLog}`);
    if (Date.now() > deadline) throw new Error(`the controller (${options.callPath}) was not ready within 30 s, see ${log}`);
    if (readFileSync(log, 'utf8').includes('"switch connected"') && readFileSync(workersLog, 'utf8').includes('"calling workers started"')) {
      const healthy = await fetch(`${options.adminUrl}/healthz`).then(
        (res) => res.ok,
        () => false,
      );
      if (healthy) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    pid: child.pid ?? 0,
    workersPid: workers.pid ?? 0,
    log,
    async stop() {
      await Promise.all([stopChild(child, exited), stopChild(workers, workersExited)]);
    },
  };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(killer);
}

// ARI requests the controller has sent so far (its switch_ari_requests gauge on /metrics). Every
// series carries labels (the node's, at least), so the name may be followed by `{...}`.
export async function ariRequestsSent(admin: { url: string; token: string }): Promise<number> {
  const res = await fetch(`${admin.url}/metrics`, { headers: { authorization: `Bearer ${admin.token}` } });
  if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`);
  return gaugeValue(await res.text(), 'switch_ari_requests');
}

// The value of a gauge without labels of its own in Prometheus' text format (NaN when absent).
export function gaugeValue(text: string, name: string): number {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.eE+-]+)$`, 'm').exec(text);
  return match ? Number(match[1]) : NaN;
}
