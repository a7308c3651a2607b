import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { SETUP_RTD, uacScenario } from './sipp/scenarios';
import { readCounters, readFailureReasons, readResponseTimes, startSipp, type SippCounters } from './sipp/sipp';
import { achievedRate, percentiles, type Percentiles } from './stats';

// controller: the Stasis path; lean: CALL_PATH=dialplan; dialplan: plain Dial(), no controller
// (suffixes tell the run apart: -pinned, -2 for the baseline measured beside the lean path).
export type PathName = string;

// A way a call is set up: through the controller (Stasis), or by plain Dial() (the baseline).
export interface CallPath {
  name: PathName;
  caller: { username: string; password: string };
  callee: string;
  sipPort: number;
  mediaPort: number;
  // Set up and undo a what-if condition around each step of this path.
  before?: () => Promise<void>;
  after?: () => Promise<void>;
}

export interface CallStepRun {
  path: PathName;
  rate: number;
  calls: number;
  counters: SippCounters;
  // Calls that did not complete (failed, or never placed before sipp's deadline).
  failed: number;
  reasons: Record<string, number>;
  setup: Percentiles | undefined;
  achievedRate: number;
  wallSeconds: number;
  dir: string;
}

// Places rate x seconds calls at `rate` calls/s, each held holdMs then hung up by the caller.
export async function runCallStep(options: {
  outDir: string;
  label: string;
  sipTarget: string;
  path: CallPath;
  rate: number;
  seconds: number;
  holdMs: number;
}): Promise<CallStepRun> {
  const { path, rate } = options;
  const calls = Math.max(1, Math.round(rate * options.seconds));
  const dir = join(options.outDir, options.label);
  mkdirSync(dir, { recursive: true });
  const name = 'uac';
  const started = Date.now();
  const sipp = startSipp(dir, name, uacScenario({ caller: path.caller.username, callee: path.callee, holdMs: options.holdMs }), [
    options.sipTarget,
    '-i', '127.0.0.1',
    '-p', String(path.sipPort),
    '-mi', '127.0.0.1',
    '-mp', String(path.mediaPort),
    '-au', path.caller.username,
    '-ap', path.caller.password,
    '-m', String(calls),
    '-r', String(rate),
    '-rp', '1000',
    // No cap on simultaneous calls below what the rate and hold need: set-up slowness must show.
    '-l', String(Math.max(100, rate * 30)),
    '-nostdin',
    // A call without a final response this long after a request counts as failed.
    '-recv_timeout', '8000',
    '-timeout', `${options.seconds + 60}s`,
    '-trace_err', '-error_file', `${name}_errors.log`,
    '-trace_stat', '-stf', `${name}_stat.csv`, '-fd', '1',
    // Every call's set-up time (rtt_freq 1: sipp writes only complete batches of this size).
    '-trace_rtt', '-rtt_freq', '1',
  ]);
  await sipp.exited;
  const pid = sipp.child.pid ?? 0;
  const counters = readCounters(join(dir, `${name}_stat.csv`));
  const samples = readResponseTimes(dir, name, pid, SETUP_RTD);
  return {
    path: path.name,
    rate,
    calls,
    counters,
    failed: calls - counters.successful,
    reasons: readFailureReasons(join(dir, `${name}_errors.log`)),
    setup: percentiles(samples.map((sample) => sample.ms)),
    // When each authenticated INVITE was sent: the 200 OK's arrival minus the set-up time.
    achievedRate: achievedRate(samples.map((sample) => sample.at - sample.ms)),
    wallSeconds: (Date.now() - started) / 1000,
    dir,
  };
}
