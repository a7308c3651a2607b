import { join } from 'node:path';
import { type AriAccess, type TaskprocessorDepth, queueDepths, resetTaskprocessors, taskprocessors, waitForIdle } from './asterisk';
import { type CallPath, type CallStepRun, type PathName, runCallStep } from './call-step';
import { type LogCursor, appWarnings, asteriskWarnings, maxloadRefusals } from './logs';
import { type CpuGroups, type ResourceUsage, ResourceSampler, waitForLoadBelow } from './monitor';
import { formatMs } from './stats';

export interface LadderOptions {
  projectRoot: string;
  outDir: string;
  sipTarget: string;
  rates: number[];
  stepSeconds: number;
  holdMs: number;
  maxP99Ms: number;
  // Asterisk's maxload (0 = off); when on, steps start at a low load average and a step refused
  // by it is retried once.
  maxload: number;
  loadBelow: number;
  loadWaitSeconds: number;
  ari: AriAccess;
  logs: { asterisk: LogCursor; app: LogCursor };
  cpu: CpuGroups;
  progress: (line: string) => void;
  // ARI requests the controller has sent so far (NaN when unknown).
  ariRequests?: () => Promise<number>;
}

export interface StepResult extends CallStepRun {
  attempt: number;
  passed: boolean;
  // Why the rate was not sustained (empty when it was).
  verdict: string;
  usage: ResourceUsage;
  // Deepest Asterisk queues during the step: the Stasis app's event queue and PJSIP's, and how many
  // messages went through the Stasis app's queue.
  queues: { ari: number; sip: number; ariTasks: number };
  deepest: TaskprocessorDepth[];
  maxloadRefusals: number;
  asteriskWarnings: Record<string, number>;
  appWarnings: Record<string, number>;
  // Channels and bridges still up once the step's calls should all have ended.
  leftover: { channels: number; bridges: number };
  // ARI requests the controller sent during the step (NaN when unknown).
  ariRequests: number;
}

export interface PathOutcome {
  path: PathName;
  maxRate: number;
  // What ended the path's ladder: its first unsustained step, or the top of the ladder.
  stoppedBy: string;
}

function verdictOf(run: CallStepRun, maxP99Ms: number, refusals: number): string {
  const why: string[] = [];
  if (run.failed > 0) {
    const reasons = Object.entries(run.reasons)
      .map(([reason, n]) => `${n}x ${reason}`)
      .join(', ');
    why.push(`${run.failed} failed calls${reasons ? ` (${reasons})` : ''}${refusals > 0 ? `, ${refusals} refused by Asterisk maxload` : ''}`);
  }
  if (run.setup && run.setup.p99 > maxP99Ms) why.push(`set-up p99 ${Math.round(run.setup.p99)} ms > ${maxP99Ms} ms`);
  if (run.failed === 0 && run.achievedRate < run.rate * 0.9) why.push(`only ${run.achievedRate.toFixed(0)} calls/s placed`);
  return why.join('; ');
}

async function runStep(path: CallPath, rate: number, label: string, attempt: number, options: LadderOptions): Promise<StepResult> {
  if (options.maxload > 0) await waitForLoadBelow(options.loadBelow, options.loadWaitSeconds);
  await path.before?.();
  // A few calls right before the step: the interleaved ladder leaves each path idle for a step or
  // two, and the controller's database pool closes idle connections after 10 s. Steady traffic
  // would keep them open, and the step should measure steady traffic.
  await runCallStep({ outDir: join(options.outDir, 'pre-warm'), label, sipTarget: options.sipTarget, path, rate: 10, seconds: 0.5, holdMs: 0 });
  await resetTaskprocessors(options.projectRoot);
  options.logs.asterisk.takeNew();
  options.logs.app.takeNew();
  const requestsBefore = options.ariRequests ? await options.ariRequests() : NaN;
  const sampler = new ResourceSampler(options.cpu);
  const run = await runCallStep({ outDir: options.outDir, label, sipTarget: options.sipTarget, path, rate, seconds: options.stepSeconds, holdMs: options.holdMs });
  const usage = sampler.stop();
  await path.after?.();
  const asteriskText = options.logs.asterisk.takeNew();
  const refusals = maxloadRefusals(asteriskText);
  const verdict = verdictOf(run, options.maxP99Ms, refusals);
  // An overloaded step can leave calls behind for a while (Asterisk gives up on them after its SIP
  // timers); the next step must not start on top of them.
  const leftover = await waitForIdle(options.ari, verdict ? 120 : 15);
  if (leftover.channels > 0) options.progress(`warning: ${leftover.channels} channels still up after ${label}`);
  const queues = await taskprocessors(options.projectRoot);
  const requestsAfter = options.ariRequests ? await options.ariRequests() : NaN;
  return {
    ariRequests: requestsAfter - requestsBefore,
    ...run,
    attempt,
    passed: verdict === '',
    verdict,
    usage,
    queues: queueDepths(queues),
    deepest: queues.slice(0, 4),
    maxloadRefusals: refusals,
    asteriskWarnings: asteriskWarnings(asteriskText + options.logs.asterisk.takeNew()),
    appWarnings: appWarnings(options.logs.app.takeNew()),
    leftover,
  };
}

// A short run at a low rate that must succeed completely: it proves the path works before its
// capacity is measured, and warms caches, connection pools and the JIT.
export async function warmUp(path: CallPath, options: LadderOptions): Promise<StepResult> {
  const run = await runStep(path, 10, `${path.name}-warm-up`, 1, { ...options, stepSeconds: 2, loadWaitSeconds: 0 });
  if (run.failed > 0) throw new Error(`warm-up of the ${path.name} path failed: ${run.verdict}; see ${run.dir}`);
  return run;
}

// Steps each path up the rate ladder, every path at a rate before the next rate (in rotating order,
// so no path always runs right after another's heavier step), and stops a path at its first
// unsustained rate. A rate counts as sustained if one of two attempts is: the machine is shared, and
// a burst of someone else's work can stall a single 10 s step. With Asterisk's maxload on, the
// second attempt waits for a lower load average (it lags by a minute and counts every process on
// the machine, the load generator included).
export async function climb(paths: CallPath[], options: LadderOptions): Promise<{ steps: StepResult[]; outcomes: PathOutcome[] }> {
  const steps: StepResult[] = [];
  const outcomes = paths.map((path): PathOutcome => ({ path: path.name, maxRate: 0, stoppedBy: '' }));
  const active = new Set(paths.map((path) => path.name));
  for (const [index, rate] of options.rates.entries()) {
    const order = [...paths.slice(index % paths.length), ...paths.slice(0, index % paths.length)];
    for (const path of order.filter((candidate) => active.has(candidate.name))) {
      let step = await runStep(path, rate, `${path.name}-${rate}`, 1, options);
      options.progress(describe(step));
      if (!step.passed) {
        steps.push(step);
        const calmer = options.maxload > 0 ? { ...options, loadBelow: Math.min(options.loadBelow, options.maxload / 2), loadWaitSeconds: Math.max(options.loadWaitSeconds, 45) } : options;
        step = await runStep(path, rate, `${path.name}-${rate}-again`, 2, calmer);
        options.progress(describe(step));
      }
      steps.push(step);
      const outcome = outcomes.find((candidate) => candidate.path === path.name);
      if (!outcome) continue;
      if (step.passed) {
        outcome.maxRate = rate;
      } else {
        outcome.stoppedBy = `${rate} calls/s: ${step.verdict}`;
        active.delete(path.name);
      }
    }
    if (active.size === 0) break;
  }
  const top = options.rates[options.rates.length - 1];
  for (const outcome of outcomes) {
    if (!outcome.stoppedBy) outcome.stoppedBy = `no failure up to the top of the ladder (${top} calls/s): a lower bound`;
  }
  return { steps, outcomes };
}

export function formatCpu(usage: ResourceUsage): string {
  return Object.entries(usage.cpuPercent)
    .map(([name, percent]) => `${name} ${Math.round(percent)}%`)
    .join(' ');
}

export function describe(step: StepResult): string {
  const setup = step.setup ? `p50 ${formatMs(step.setup.p50)} ms p99 ${formatMs(step.setup.p99)} ms` : 'no set-up time';
  const cpu = formatCpu(step.usage);
  return (
    `${step.path} ${step.rate} calls/s${step.attempt > 1 ? ' (2nd attempt)' : ''}: ${step.counters.successful}/${step.calls} ok, ${setup}, ` +
    `placed ${step.achievedRate.toFixed(0)}/s, queues ari ${step.queues.ari} sip ${step.queues.sip}, ` +
    `load ${step.usage.load1Start.toFixed(2)}->${step.usage.load1End.toFixed(2)}, cpu ${cpu}` +
    (step.passed ? '' : ` -- NOT SUSTAINED: ${step.verdict}`)
  );
}

