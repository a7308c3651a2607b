import { type PathOutcome, type StepResult } from './ladder';
import { formatMs } from './stats';

// The figures issue 10 asks of a controller path, each against plain Dial() measured in the same
// window: CPU per call at a common rate below saturation (50 calls/s if both paths set every call
// up there, else the highest rate where both did: on a shared machine a step can miss the p99 bound
// and still measure what a call costs), the set-up p95 added at 50 calls/s, and the highest
// sustained rates, on the whole machine and with Asterisk pinned to one core.
export interface PathFigures {
  cpuRate: number;
  switchCpuRatio: number | undefined;
  switchCpuPerCallMs: number | undefined;
  dialplanCpuPerCallMs: number | undefined;
  controllerCpuPerCallMs: number | undefined;
  workersCpuPerCallMs: number | undefined;
  addedSetupP95Ms: number | undefined;
  maxRate: number;
  dialplanMaxRate: number;
  ratio: number | undefined;
  pinnedRatio: number | undefined;
  stasisMessagesPerCall: number | undefined;
  ariRequestsPerCall: number | undefined;
}

const PREFERRED_RATE = 50;

// Per rate, the path's step in which every call was set up (the later attempt when both were).
const complete = (steps: StepResult[], path: string): Map<number, StepResult> => new Map(steps.filter((step) => step.path === path && step.failed === 0).map((step) => [step.rate, step]));

// CPU of one part per call placed, in ms.
const cpuPerCall = (step: StepResult | undefined, group: string): number | undefined => {
  if (!step) return undefined;
  const rate = step.achievedRate > 0 ? step.achievedRate : step.rate;
  return ((step.usage.cpuPercent[group] ?? 0) / 100) * (1000 / rate);
};

const subtract = (a: number | undefined, b: number | undefined): number | undefined => (a === undefined || b === undefined ? undefined : a - b);
const maxOf = (outcomes: PathOutcome[], path: string): number => outcomes.find((outcome) => outcome.path === path)?.maxRate ?? 0;
const share = (a: number, b: number): number | undefined => (b > 0 ? a / b : undefined);
const pinnedName = (path: string): string => (path.endsWith('-2') ? `${path.slice(0, -2)}-pinned-2` : `${path}-pinned`);

export function pathFigures(steps: StepResult[], outcomes: PathOutcome[], names: { path: string; baseline: string }): PathFigures {
  const ours = complete(steps, names.path);
  const base = complete(steps, names.baseline);
  const common = [...ours.keys()].filter((rate) => base.has(rate));
  const below = common.filter((rate) => rate < PREFERRED_RATE);
  const cpuRate = common.includes(PREFERRED_RATE) ? PREFERRED_RATE : below.length > 0 ? Math.max(...below) : common.length > 0 ? Math.min(...common) : 0;
  const [at, baseAt] = [ours.get(cpuRate), base.get(cpuRate)];
  const switchCpu = cpuPerCall(at, 'asterisk');
  const baseCpu = cpuPerCall(baseAt, 'asterisk');
  const [at50, base50] = [ours.get(PREFERRED_RATE), base.get(PREFERRED_RATE)];
  const maxRate = maxOf(outcomes, names.path);
  const dialplanMaxRate = maxOf(outcomes, names.baseline);
  return {
    cpuRate,
    switchCpuRatio: switchCpu !== undefined && baseCpu ? switchCpu / baseCpu : undefined,
    switchCpuPerCallMs: switchCpu,
    dialplanCpuPerCallMs: baseCpu,
    // What the call path adds to the controller: its CPU in the path's step less its CPU in the
    // baseline's step at the same rate (its pollers and heartbeats, ~1.5 ms a call at 25 calls/s).
    controllerCpuPerCallMs: subtract(cpuPerCall(at, 'app'), cpuPerCall(baseAt, 'app')),
    // What the consumers of its events (call records, settlement, invoices, routing, intercept)
    // spend per call in the workers' process, off the call path: counted apart, not hidden.
    workersCpuPerCallMs: subtract(cpuPerCall(at, 'workers'), cpuPerCall(baseAt, 'workers')),
    addedSetupP95Ms: at50?.setup && base50?.setup ? at50.setup.p95 - base50.setup.p95 : undefined,
    maxRate,
    dialplanMaxRate,
    ratio: share(maxRate, dialplanMaxRate),
    pinnedRatio: share(maxOf(outcomes, pinnedName(names.path)), maxOf(outcomes, pinnedName(names.baseline))),
    stasisMessagesPerCall: at ? at.queues.ariTasks / at.calls : undefined,
    ariRequestsPerCall: at && Number.isFinite(at.ariRequests) ? at.ariRequests / at.calls : undefined,
  };
}

// "name: value unit" lines, the names prefixed (e.g. "stasis_") for a path other than the chosen one.
export function pathFigureLines(prefix: string, figures: PathFigures): string[] {
  const ms = (value: number | undefined): string => (value === undefined ? 'n/a' : `${formatMs(value)} ms`);
  const num = (value: number | undefined, digits = 2): string => (value === undefined ? 'n/a' : value.toFixed(digits));
  const name = (text: string): string => `${prefix}${text}`;
  return [
    `${name('cpu_rate')}: ${figures.cpuRate} calls/s`,
    `${name('switch_cpu_per_call')}: ${ms(figures.switchCpuPerCallMs)} (dialplan ${ms(figures.dialplanCpuPerCallMs)})`,
    `${name('max_rate')}: ${figures.maxRate} calls/s (dialplan ${figures.dialplanMaxRate} calls/s)`,
    `${name('switch_cpu_ratio')}: ${num(figures.switchCpuRatio)}`,
    `${name('controller_cpu_per_call')}: ${ms(figures.controllerCpuPerCallMs)}`,
    `${name('workers_cpu_per_call')}: ${ms(figures.workersCpuPerCallMs)}`,
    `${name('added_setup_p95')}: ${ms(figures.addedSetupP95Ms)}`,
    `${name('ratio')}: ${num(figures.ratio)}`,
    `${name('pinned_ratio')}: ${num(figures.pinnedRatio)}`,
    `${name('stasis_messages_per_call')}: ${num(figures.stasisMessagesPerCall, 1)} messages`,
    `${name('ari_requests_per_call')}: ${num(figures.ariRequestsPerCall, 1)} requests`,
  ];
}
