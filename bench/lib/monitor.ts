import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';

// CPU used by the parts of the system during a step, read from /proc (clock ticks of 1/100 s).

const TICKS_PER_SECOND = 100;

// Each group reports the CPU ticks each of its processes has used so far, by pid. A process that
// ends during a step takes its ticks with it (PostgreSQL backends the controller's pool closes), so
// usage is summed per process that is still there, never as a difference of group totals.
export type CpuGroups = Record<string, () => Map<number, number>>;

export interface ResourceUsage {
  // Percent of one core per group; "machine" is every process (other sessions' tests included)
  // and "others" what the groups do not account for.
  cpuPercent: Record<string, number>;
  load1Start: number;
  load1End: number;
}

function statFields(pid: number | 'self'): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // After the command name (which may hold spaces) come the fields from "state" (field 3) on.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // the process has ended
  }
}

// utime + stime (fields 14 and 15) of these processes, by pid.
export function ticksOf(pids: number[]): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const pid of pids) {
    const fields = statFields(pid);
    if (fields) ticks.set(pid, Number(fields[11]) + Number(fields[12]));
  }
  return ticks;
}

// cutime + cstime (fields 16 and 17): CPU of this process's children that have ended, such as each
// step's sipp caller. Keyed 0, a pid no process has.
export function endedChildrenTicks(): Map<number, number> {
  const fields = statFields('self');
  return new Map([[0, fields ? Number(fields[13]) + Number(fields[14]) : 0]]);
}

export function mergeTicks(...parts: Map<number, number>[]): Map<number, number> {
  return new Map(parts.flatMap((part) => [...part]));
}

// Ticks used since `before` by the processes in `after` (a process new since then counts in full).
function usedSince(before: Map<number, number>, after: Map<number, number>): number {
  let used = 0;
  for (const [pid, ticks] of after) used += Math.max(0, ticks - (before.get(pid) ?? 0));
  return used;
}

// A process and its direct children (PostgreSQL: the postmaster and its backends).
export function withChildren(pid: number): number[] {
  const pids = [pid];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (Number(statFields(Number(entry))?.[1]) === pid) pids.push(Number(entry));
  }
  return pids;
}

function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

export function loadAverage1(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}

export class ResourceSampler {
  private readonly start: Record<string, Map<number, number>> = {};
  private readonly startMachine = machineTicks();
  private readonly startedAt = Date.now();
  private readonly load1Start = loadAverage1();

  constructor(private readonly groups: CpuGroups) {
    for (const [name, ticks] of Object.entries(groups)) this.start[name] = ticks();
  }

  stop(): ResourceUsage {
    const seconds = Math.max(0.001, (Date.now() - this.startedAt) / 1000);
    const percent = (ticks: number): number => (ticks / TICKS_PER_SECOND / seconds) * 100;
    const cpuPercent: Record<string, number> = {};
    for (const [name, ticks] of Object.entries(this.groups)) cpuPercent[name] = percent(usedSince(this.start[name] ?? new Map<number, number>(), ticks()));
    const machine = machineTicks();
    const totalDelta = machine.total - this.startMachine.total;
    cpuPercent.machine = totalDelta > 0 ? ((machine.busy - this.startMachine.busy) / totalDelta) * 100 * cpus().length : 0;
    const ours = Object.keys(this.groups).reduce((sum, name) => sum + (cpuPercent[name] ?? 0), 0);
    cpuPercent.others = Math.max(0, cpuPercent.machine - ours);
    return { cpuPercent, load1Start: this.load1Start, load1End: loadAverage1() };
  }
}

// Waits until the 1-minute load average is below `below`, for at most `maxSeconds`.
export async function waitForLoadBelow(below: number, maxSeconds: number): Promise<{ waitedSeconds: number; load1: number }> {
  const started = Date.now();
  let load1 = loadAverage1();
  while (load1 >= below && Date.now() - started < maxSeconds * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    load1 = loadAverage1();
  }
  return { waitedSeconds: Math.round((Date.now() - started) / 1000), load1 };
}
