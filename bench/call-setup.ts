// Call set-up rate of the controller path (the Stasis app bridges the call) against plain Dial(),
// on the same Asterisk in the same run. Started by bench/call-setup, which brings up the bench stack
// and the controller first and tears them down afterwards; results are explained in bench/RESULTS.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { setEventFilter } from './lib/asterisk';
import { warrantOn } from './lib/intercept';
import { type CallPath } from './lib/call-step';
import { loadBenchConfig } from './lib/config';
import { climb, describe, formatCpu, type LadderOptions, type StepResult, warmUp } from './lib/ladder';
import { LogCursor } from './lib/logs';
import { endedChildrenTicks, loadAverage1, mergeTicks, ResourceSampler, ticksOf, withChildren } from './lib/monitor';
import { headlineLines, headlineOf, pathNotes, stepTable } from './lib/report';
import { formatMs } from './lib/stats';
import { registerScenario, uasScenario } from './lib/sipp/scenarios';
import { startSipp, waitForUdpPort, type SippProcess } from './lib/sipp/sipp';
import { createUser, useDialplanContext } from './lib/users';

const PROJECT_ROOT = join(__dirname, '..');

// The ARI events app/switch/ari-event-mapper.ts turns into switch events; the rest it ignores.
const EVENTS_THE_CONTROLLER_READS = ['StasisStart', 'StasisEnd', 'ChannelStateChange', 'ChannelHangupRequest', 'ChannelDestroyed'];

const progress = (line: string): void => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);

const pidIn = (file: string): number => Number(readFileSync(file, 'utf8').trim());

// The commit of the working tree, and when the controller that runs (dist/) was built: other work
// may rebuild dist/ from uncommitted changes.
function sourceVersion(): string {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['describe', '--always', '--dirty'], { cwd: PROJECT_ROOT }).toString().trim();
  } catch {
    // not a git checkout: the build time below still identifies the controller
  }
  return `${commit}, dist built ${statSync(join(PROJECT_ROOT, 'dist', 'app', 'main.js')).mtime.toISOString()}`;
}

// The callee's device: registered once, then answering every call at once until the run ends.
async function startCallee(config: ReturnType<typeof loadBenchConfig>, callee: { username: string; password: string }): Promise<SippProcess> {
  const dir = join(config.outDir, 'callee');
  mkdirSync(dir, { recursive: true });
  const port = String(config.ports.callee);
  const register = startSipp(dir, 'register', registerScenario(callee.username, 3600), [
    config.sipTarget, '-i', '127.0.0.1', '-p', port, '-m', '1', '-nostdin',
    '-au', callee.username, '-ap', callee.password,
    '-timeout', '10s', '-timeout_error', '-trace_err', '-error_file', 'register_errors.log',
  ]);
  const code = await register.exited;
  if (code !== 0) throw new Error(`the callee did not register (sipp exit ${code}); see ${dir}`);
  const uas = startSipp(dir, 'uas', uasScenario(), [
    config.sipTarget, '-i', '127.0.0.1', '-p', port, '-mi', '127.0.0.1', '-mp', String(config.ports.calleeMedia),
    '-nostdin', '-trace_err', '-error_file', 'uas_errors.log',
  ]);
  await waitForUdpPort(config.ports.callee, 5000, uas);
  return uas;
}

// What interception adds to set-up: at the highest rate both controller paths sustained, the
// intercepted path's set-up p50 and p99 and their differences to the plain controller path's.
function interceptLines(steps: StepResult[]): string[] {
  const passed = (path: string): Map<number, StepResult> => new Map(steps.filter((step) => step.path === path && step.passed).map((step) => [step.rate, step]));
  const [plain, intercepted] = [passed('controller'), passed('controller-intercepted')];
  const rate = Math.max(0, ...[...intercepted.keys()].filter((r) => plain.has(r)));
  const [a, b] = [plain.get(rate)?.setup, intercepted.get(rate)?.setup];
  if (!a || !b) return ['intercept_common_rate: 0 calls/s'];
  return [
    `intercept_common_rate: ${rate} calls/s`,
    `intercepted_setup_p50: ${formatMs(b.p50)} ms`,
    `intercepted_setup_p99: ${formatMs(b.p99)} ms`,
    `intercept_setup_delta_p50: ${formatMs(b.p50 - a.p50)} ms`,
    `intercept_setup_delta_p99: ${formatMs(b.p99 - a.p99)} ms`,
  ];
}

async function main(): Promise<void> {
  const config = loadBenchConfig();
  mkdirSync(config.outDir, { recursive: true });
  progress(`machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load average ${loadAverage1().toFixed(2)} at start; source ${sourceVersion()}; Asterisk maxload ${config.maxload || 'off'}`);

  const admin = { url: config.adminUrl, token: config.adminToken };
  const [callee, viaController, viaDialplan] = await Promise.all([
    createUser(admin, 'bench-callee'),
    createUser(admin, 'bench-ctl'),
    createUser(admin, 'bench-plain'),
  ]);
  await useDialplanContext(config.databaseUrl, viaDialplan.username);
  progress(`users: callee ${callee.username}, controller caller ${viaController.username}, dialplan caller ${viaDialplan.username} (context bench-plain)`);

  const uas = await startCallee(config, callee);
  try {
    const paths: CallPath[] = [
      { name: 'controller', caller: viaController, callee: callee.username, sipPort: config.ports.controller, mediaPort: config.ports.controllerMedia },
      { name: 'dialplan', caller: viaDialplan, callee: callee.username, sipPort: config.ports.dialplan, mediaPort: config.ports.dialplanMedia },
    ];
    if (config.whatIfEventFilter) {
      // What-if: Asterisk sends the controller only the events its mapper reads (about 9 of the 50
      // per call); the filter is lifted again after each of this path's steps.
      paths.push({
        name: 'controller-filtered',
        caller: await createUser(admin, 'bench-ctlf'),
        callee: callee.username,
        sipPort: config.ports.filtered,
        mediaPort: config.ports.filteredMedia,
        before: () => setEventFilter(config.ari, config.ari.app, EVENTS_THE_CONTROLLER_READS),
        after: () => setEventFilter(config.ari, config.ari.app, []),
      });
    }
    if (config.whatIfIntercept) {
      // What-if: the caller is the target of a warrant for content, so every call of this path gets
      // a snoop channel and a recording (stored in 3 encrypted copies after it ends). Its set-up time
      // against the plain controller path's is what interception adds (the issue: a few ms at most).
      const target = await createUser(admin, 'bench-lit');
      const { warrantId } = await warrantOn({ url: config.adminUrl, interceptToken: config.interceptAdminToken }, target.id);
      progress(`warrant ${warrantId} on ${target.username} (content: snoop and recording)`);
      paths.push({ name: 'controller-intercepted', caller: target, callee: callee.username, sipPort: config.ports.intercepted, mediaPort: config.ports.interceptedMedia });
    }
    const asteriskPid = pidIn(config.pids.asteriskFile);
    const postgresPid = pidIn(config.pids.postgresFile);
    const options: LadderOptions = {
      projectRoot: PROJECT_ROOT,
      outDir: config.outDir,
      sipTarget: config.sipTarget,
      ...config.ladder,
      maxload: config.maxload,
      ari: config.ari,
      logs: { asterisk: new LogCursor(config.asteriskLog), app: new LogCursor(config.appLog) },
      cpu: {
        asterisk: () => ticksOf([asteriskPid]),
        app: () => ticksOf([config.pids.app]),
        postgres: () => ticksOf(withChildren(postgresPid)),
        // The callee's sipp runs throughout; each step's caller sipp is counted once it has ended.
        sipp: () => mergeTicks(ticksOf([uas.child.pid ?? 0]), endedChildrenTicks()),
      },
      progress,
    };
    for (const path of paths) progress(`warm-up: ${describe(await warmUp(path, options))}`);
    // What the parts use with no call at all (the controller's pollers, Asterisk's timers): the
    // per-step figures include it.
    const idleSampler = new ResourceSampler(options.cpu);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const idle = idleSampler.stop();
    progress(`idle for 3 s: cpu ${formatCpu(idle)}`);
    progress(`ladder: ${config.ladder.rates.join(', ')} calls/s, ${config.ladder.stepSeconds} s per step, ${config.ladder.holdMs} ms hold; sustained = no failed call and set-up p99 <= ${config.ladder.maxP99Ms} ms`);
    const { steps, outcomes } = await climb(paths, options);
    const headline = headlineOf(steps, outcomes);
    writeFileSync(join(config.outDir, 'summary.json'), JSON.stringify({ idle, steps, outcomes, headline }, null, 2));

    console.log('');
    for (const line of stepTable(steps)) console.log(line);
    console.log('');
    for (const outcome of outcomes) for (const line of pathNotes(outcome, steps)) console.log(line);
    console.log(`details: ${config.outDir}`);
    console.log('');
    for (const line of headlineLines(headline)) console.log(line);
    if (config.whatIfIntercept) for (const line of interceptLines(steps)) console.log(line);
  } finally {
    await uas.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`call-setup bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
