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
import { ariRequestsSent, startController } from './lib/controller';
import { climb, describe, formatCpu, type LadderOptions, type PathOutcome, type StepResult, warmUp } from './lib/ladder';
import { LogCursor } from './lib/logs';
import { endedChildrenTicks, loadAverage1, mergeTicks, ResourceSampler, ticksOf, withChildren } from './lib/monitor';
import { pathFigureLines, pathFigures } from './lib/path-figures';
import { allCores, pin } from './lib/pinning';
import { headlineLines, headlineOf, pathNotes, stepTable } from './lib/report';
import { formatMs } from './lib/stats';
import { startCallee } from './lib/callee';
import { type BenchUser, createUser, useDialplanContext } from './lib/users';

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

// One controller at a time, as `npm start` runs it: the Stasis path (CALL_PATH=stasis) first, then
// the lean path (CALL_PATH=dialplan). Each climbs the rate ladder beside plain Dial(), measured
// again in the same window (the machine is shared: minutes apart, its load differs), first on the
// whole machine, then with Asterisk pinned to core 0 and everything else to core 1.
interface Phase {
  callPath: 'stasis' | 'dialplan';
  path: string;
  caller: BenchUser;
  sipPort: number;
  mediaPort: number;
}

async function main(): Promise<void> {
  const config = loadBenchConfig();
  mkdirSync(config.outDir, { recursive: true });
  progress(`machine: ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load average ${loadAverage1().toFixed(2)} at start; source ${sourceVersion()}; Asterisk maxload ${config.maxload || 'off'}`);

  const admin = { url: config.adminUrl, token: config.adminToken };
  // Users are made through the admin API, so a controller runs for that.
  let controller = await startController({ projectRoot: PROJECT_ROOT, outDir: config.outDir, callPath: 'stasis', adminUrl: config.adminUrl, nodeArgs: config.appNodeArgs });
  const [callee, viaController, viaLean, viaDialplan] = await Promise.all([
    createUser(admin, 'bench-callee'),
    createUser(admin, 'bench-ctl'),
    createUser(admin, 'bench-lean'),
    createUser(admin, 'bench-plain'),
  ]);
  await useDialplanContext(config.databaseUrl, viaDialplan.username);
  progress(`users: callee ${callee.username}, controller callers ${viaController.username} (stasis) and ${viaLean.username} (lean), dialplan caller ${viaDialplan.username} (context bench-plain)`);

  const uas = await startCallee(config, callee);
  const asteriskPid = pidIn(config.pids.asteriskFile);
  const postgresPid = pidIn(config.pids.postgresFile);
  const steps: StepResult[] = [];
  const outcomes: PathOutcome[] = [];
  try {
    const phases: Phase[] = [
      { callPath: 'stasis', path: 'controller', caller: viaController, sipPort: config.ports.controller, mediaPort: config.ports.controllerMedia },
      { callPath: 'dialplan', path: 'lean', caller: viaLean, sipPort: config.ports.lean, mediaPort: config.ports.leanMedia },
    ];
    for (const phase of phases) {
      if (controller.pid === 0 || phase.callPath !== 'stasis') {
        await controller.stop();
        controller = await startController({ projectRoot: PROJECT_ROOT, outDir: config.outDir, callPath: phase.callPath, adminUrl: config.adminUrl, nodeArgs: config.appNodeArgs });
      }
      const appPid = controller.pid;
      const workersPid = controller.workersPid;
      progress(`controller with CALL_PATH=${phase.callPath} (pid ${appPid}, log ${controller.log}; workers pid ${workersPid})`);
      const suffix = phase.callPath === 'stasis' ? '' : '-2';
      const options: LadderOptions = {
        projectRoot: PROJECT_ROOT,
        outDir: config.outDir,
        sipTarget: config.sipTarget,
        ...config.ladder,
        maxload: config.maxload,
        ari: config.ari,
        logs: { asterisk: new LogCursor(config.asteriskLog), app: new LogCursor(controller.log) },
        cpu: {
          asterisk: () => ticksOf([asteriskPid]),
          app: () => ticksOf([appPid]),
          // The consumers of the call path's events, in their own process (app/bin/workers-main.ts).
          workers: () => ticksOf([workersPid]),
          postgres: () => ticksOf(withChildren(postgresPid)),
          // The callee's sipp runs throughout; each step's caller sipp is counted once it has ended.
          sipp: () => mergeTicks(ticksOf([uas.child.pid ?? 0]), endedChildrenTicks()),
        },
        progress,
        ariRequests: () => ariRequestsSent(admin),
      };
      const paths: CallPath[] = [
        { name: `dialplan${suffix}`, caller: viaDialplan, callee: callee.username, sipPort: config.ports.dialplan, mediaPort: config.ports.dialplanMedia },
        { name: phase.path, caller: phase.caller, callee: callee.username, sipPort: phase.sipPort, mediaPort: phase.mediaPort },
      ];
      if (phase.callPath === 'stasis') paths.push(...(await whatIfPaths(config, admin, callee.username)));
      for (const path of paths) progress(`warm-up: ${describe(await warmUp(path, options))}`);
      const idleSampler = new ResourceSampler(options.cpu);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      progress(`idle for 3 s: cpu ${formatCpu(idleSampler.stop())}`);
      progress(`ladder: ${config.ladder.rates.join(', ')} calls/s, ${config.ladder.stepSeconds} s per step, ${config.ladder.holdMs} ms hold; sustained = no failed call and set-up p99 <= ${config.ladder.maxP99Ms} ms`);
      const run = await climb(paths, options);
      steps.push(...run.steps);
      outcomes.push(...run.outcomes);
      if (!config.pinned) continue;
      // Asterisk on core 0; the controller, PostgreSQL, Redis, NATS, this driver and its sipp on core 1.
      const others = [appPid, workersPid, ...withChildren(postgresPid), pidIn(config.pids.redisFile), pidIn(config.pids.natsFile), process.pid, uas.child.pid ?? 0];
      pin([asteriskPid], '0');
      pin(others, '1');
      progress('pinned: Asterisk to core 0, everything else to core 1');
      try {
        const pinnedRun = await climb(
          paths.slice(0, 2).map((path) => ({ ...path, name: `${path.name.replace(/-2$/, '')}-pinned${path.name.endsWith('-2') ? '-2' : ''}` })),
          options,
        );
        steps.push(...pinnedRun.steps);
        outcomes.push(...pinnedRun.outcomes);
      } finally {
        pin([asteriskPid, ...others], allCores());
      }
    }
    writeFileSync(join(config.outDir, 'summary.json'), JSON.stringify({ steps, outcomes }, null, 2));

    console.log('');
    for (const line of stepTable(steps)) console.log(line);
    console.log('');
    for (const outcome of outcomes) for (const line of pathNotes(outcome, steps)) console.log(line);
    console.log(`details: ${config.outDir}`);
    console.log('');
    for (const line of headlineLines(headlineOf(steps, outcomes))) console.log(line);
    if (config.whatIfIntercept) for (const line of interceptLines(steps)) console.log(line);
    // The paths compared with plain Dial(): the Stasis path first, the chosen one (lean) last.
    for (const line of pathFigureLines('stasis_', pathFigures(steps, outcomes, { path: 'controller', baseline: 'dialplan' }))) console.log(line);
    for (const line of pathFigureLines('', pathFigures(steps, outcomes, { path: 'lean', baseline: 'dialplan-2' }))) console.log(line);
  } finally {
    await uas.stop();
    await controller.stop();
  }
}

// The what-if paths of the Stasis controller (CALL_SETUP_WHATIF_*).
async function whatIfPaths(config: ReturnType<typeof loadBenchConfig>, admin: { url: string; token: string }, callee: string): Promise<CallPath[]> {
  const paths: CallPath[] = [];
  if (config.whatIfEventFilter) {
    // What-if: Asterisk sends the controller only the events its mapper reads; the filter is lifted
    // again after each of this path's steps.
    paths.push({
      name: 'controller-filtered',
      caller: await createUser(admin, 'bench-ctlf'),
      callee,
      sipPort: config.ports.filtered,
      mediaPort: config.ports.filteredMedia,
      before: () => setEventFilter(config.ari, config.ari.app, EVENTS_THE_CONTROLLER_READS),
      after: () => setEventFilter(config.ari, config.ari.app, []),
    });
  }
  if (config.whatIfIntercept) {
    // What-if: the caller is the target of a warrant for content (snoop and recording of every call).
    const target = await createUser(admin, 'bench-lit');
    const { warrantId } = await warrantOn({ url: config.adminUrl, interceptToken: config.interceptAdminToken }, target.id);
    progress(`warrant ${warrantId} on ${target.username} (content: snoop and recording)`);
    paths.push({ name: 'controller-intercepted', caller: target, callee, sipPort: config.ports.intercepted, mediaPort: config.ports.interceptedMedia });
  }
  return paths;
}

main().catch((error: unknown) => {
  console.error(`call-setup bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
