// Soak: does anything leak over many calls? Started by bench/soak, which brings up the bench stack
// and tears it down afterwards. Places SOAK_CALLS calls (default 10,000) at SOAK_RATE calls/s
// through the controller (CALL_PATH=SOAK_CALL_PATH, default dialplan), then prints the channels and
// bridges left in Asterisk (aim 0), and the controller's heap and Asterisk's RSS at the start, right
// after the load and after SOAK_IDLE_SECONDS (60) idle. Headline figures last, one per line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitForIdle } from './lib/asterisk';
import { startCallee } from './lib/callee';
import { runCallStep } from './lib/call-step';
import { loadBenchConfig } from './lib/config';
import { gaugeValue, startController } from './lib/controller';
import { loadAverage1, ticksOf } from './lib/monitor';
import { createUser } from './lib/users';

const PROJECT_ROOT = join(__dirname, '..');
const progress = (line: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const mib = (bytes: number): string => (Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : 'n/a');

// Resident memory of a process, in bytes (VmRSS of /proc/<pid>/status).
function rssOf(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) * 1024 : NaN;
}

async function controllerHeap(admin: { url: string; token: string }): Promise<number> {
  const res = await fetch(`${admin.url}/metrics`, { headers: { authorization: `Bearer ${admin.token}` } });
  if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`);
  return gaugeValue(await res.text(), 'nodejs_heap_size_used_bytes');
}

function positive(env: string | undefined, fallback: number): number {
  const value = Number(env ?? fallback);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

async function main(): Promise<void> {
  const config = loadBenchConfig();
  const calls = positive(process.env.SOAK_CALLS, 10_000);
  const rate = positive(process.env.SOAK_RATE, 50);
  const idleSeconds = positive(process.env.SOAK_IDLE_SECONDS, 60);
  const callPath = process.env.SOAK_CALL_PATH === 'stasis' ? 'stasis' : 'dialplan';
  const admin = { url: config.adminUrl, token: config.adminToken };
  progress(`soak: ${calls} calls at ${rate} calls/s, CALL_PATH=${callPath}, load average ${loadAverage1().toFixed(2)} at start`);

  const controller = await startController({ projectRoot: PROJECT_ROOT, outDir: config.outDir, callPath, adminUrl: config.adminUrl, nodeArgs: config.appNodeArgs });
  const [callee, caller] = await Promise.all([createUser(admin, 'soak-callee'), createUser(admin, 'soak-caller')]);
  const uas = await startCallee(config, callee);
  const asteriskPid = Number(readFileSync(config.pids.asteriskFile, 'utf8').trim());
  try {
    const path = { name: 'soak', caller, callee: callee.username, sipPort: config.ports.lean, mediaPort: config.ports.leanMedia };
    // A few calls first: the figures at the start are those of a warmed-up controller.
    await runCallStep({ outDir: config.outDir, label: 'warm-up', sipTarget: config.sipTarget, path, rate: 10, seconds: 2, holdMs: 0 });
    await waitForIdle(config.ari, 30);
    const start = { heap: await controllerHeap(admin), rss: rssOf(asteriskPid) };
    // CPU time (not wall time: the machine may be shared) of the controller and Asterisk per call.
    const cpuTicks = (): number[] => [controller.pid, asteriskPid].map((pid) => ticksOf([pid]).get(pid) ?? NaN);
    const ticksBefore = cpuTicks();
    progress(`start: controller heap ${mib(start.heap)}, Asterisk RSS ${mib(start.rss)}`);

    const run = await runCallStep({ outDir: config.outDir, label: 'soak', sipTarget: config.sipTarget, path, rate, seconds: calls / rate, holdMs: config.ladder.holdMs });
    progress(`load: ${run.counters.successful}/${run.calls} calls ok in ${run.wallSeconds.toFixed(0)} s, ${run.failed} failed ${JSON.stringify(run.reasons)}`);
    // Calls still ending (BYE in flight) are not leaks: what is left after 30 s is.
    const left = await waitForIdle(config.ari, 30);
    const [controllerMs, asteriskMs] = cpuTicks().map((ticks, i) => ((ticks - (ticksBefore[i] ?? NaN)) * 10) / Math.max(1, run.counters.successful));
    const after = { heap: await controllerHeap(admin), rss: rssOf(asteriskPid) };
    progress(`after the load: controller heap ${mib(after.heap)}, Asterisk RSS ${mib(after.rss)}`);
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
    const idle = { heap: await controllerHeap(admin), rss: rssOf(asteriskPid) };
    const leftIdle = await waitForIdle(config.ari, 0);
    console.log(`details: ${config.outDir}`);
    console.log('');
    console.log(`soak_calls: ${run.calls} calls`);
    console.log(`soak_failed_calls: ${run.failed} calls`);
    console.log(`channels_left: ${left.channels} channels (after ${idleSeconds} s idle: ${leftIdle.channels})`);
    console.log(`bridges_left: ${left.bridges} bridges (after ${idleSeconds} s idle: ${leftIdle.bridges})`);
    console.log(`controller_cpu_per_call: ${(controllerMs ?? NaN).toFixed(1)} ms (its idle work included)`);
    console.log(`asterisk_cpu_per_call: ${(asteriskMs ?? NaN).toFixed(1)} ms`);
    console.log(`controller_heap_start: ${mib(start.heap)}`);
    console.log(`controller_heap_after_load: ${mib(after.heap)}`);
    console.log(`controller_heap_after_idle: ${mib(idle.heap)}`);
    console.log(`asterisk_rss_start: ${mib(start.rss)}`);
    console.log(`asterisk_rss_after_load: ${mib(after.rss)}`);
    console.log(`asterisk_rss_after_idle: ${mib(idle.rss)}`);
  } finally {
    await uas.stop();
    await controller.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`soak bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
