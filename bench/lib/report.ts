import { type TaskprocessorDepth } from './asterisk';
import { type PathOutcome, type StepResult } from './ladder';
import { formatMs } from './stats';

export interface Headline {
  controllerMaxRate: number;
  dialplanMaxRate: number;
  ratio: number | undefined;
  commonRate: number;
  controller: StepResult | undefined;
  dialplan: StepResult | undefined;
  failedCalls: number;
}

// The figures of the run: each path's highest sustained rate, and both paths' set-up times at the
// highest rate both sustained (the same offered load, so the times compare).
export function headlineOf(steps: StepResult[], outcomes: PathOutcome[]): Headline {
  const maxOf = (path: string): number => outcomes.find((outcome) => outcome.path === path)?.maxRate ?? 0;
  const controllerMaxRate = maxOf('controller');
  const dialplanMaxRate = maxOf('dialplan');
  const commonRate = Math.min(controllerMaxRate, dialplanMaxRate);
  const passedAt = (path: string, rate: number): StepResult | undefined => steps.find((step) => step.path === path && step.rate === rate && step.passed);
  const reported = [passedAt('controller', controllerMaxRate), passedAt('dialplan', dialplanMaxRate), passedAt('controller', commonRate), passedAt('dialplan', commonRate)];
  return {
    controllerMaxRate,
    dialplanMaxRate,
    ratio: dialplanMaxRate > 0 ? controllerMaxRate / dialplanMaxRate : undefined,
    commonRate,
    controller: passedAt('controller', commonRate),
    dialplan: passedAt('dialplan', commonRate),
    failedCalls: [...new Set(reported.filter((step) => step !== undefined))].reduce((sum, step) => sum + step.failed, 0),
  };
}

const pad = (text: string, width: number): string => (text.length >= width ? text : text + ' '.repeat(width - text.length));

export function stepTable(steps: StepResult[]): string[] {
  const header = ['path', 'rate', 'ok/calls', 'placed/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'ari q', 'sip q', 'load', 'cpu% ast', 'app', 'wrk', 'pg', 'sipp', 'others', 'result'];
  const rows = steps.map((step) => [
    step.path,
    `${step.rate}${step.attempt > 1 ? ' #2' : ''}`,
    `${step.counters.successful}/${step.calls}`,
    step.achievedRate.toFixed(0),
    formatMs(step.setup?.p50),
    formatMs(step.setup?.p95),
    formatMs(step.setup?.p99),
    formatMs(step.setup?.max),
    String(step.queues.ari),
    String(step.queues.sip),
    `${step.usage.load1Start.toFixed(2)}->${step.usage.load1End.toFixed(2)}`,
    ...['asterisk', 'app', 'workers', 'postgres', 'sipp', 'others'].map((group) => String(Math.round(step.usage.cpuPercent[group] ?? 0))),
    step.passed ? 'sustained' : `NOT: ${step.verdict}`,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]): string => cells.map((cell, column) => pad(cell, widths[column] ?? 0)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

// Warnings seen during the steps of one path, summed, most frequent first.
export function warningSummary(steps: StepResult[], source: 'asteriskWarnings' | 'appWarnings', limit: number): string[] {
  const totals: Record<string, number> = {};
  for (const step of steps) {
    for (const [warning, count] of Object.entries(step[source])) totals[warning] = (totals[warning] ?? 0) + count;
  }
  return Object.entries(totals)
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([warning, count]) => `${count}x ${warning}`);
}

export function taskprocessorLines(rows: TaskprocessorDepth[]): string[] {
  return rows.map((row) => `${row.name}: max depth ${row.maxDepth} (high water ${row.highWater}), ${row.processed} tasks, longest ${Math.round(row.maxTaskUs / 1000)} ms`);
}

// The last lines of the output, one figure per line: "name: value unit".
export function headlineLines(headline: Headline): string[] {
  const ms = (value: number | undefined): string => (value === undefined ? 'n/a' : `${formatMs(value)} ms`);
  return [
    `controller_max_rate: ${headline.controllerMaxRate} calls/s`,
    `dialplan_max_rate: ${headline.dialplanMaxRate} calls/s`,
    `common_rate: ${headline.commonRate} calls/s`,
    `controller_setup_p50: ${ms(headline.controller?.setup?.p50)}`,
    `controller_setup_p99: ${ms(headline.controller?.setup?.p99)}`,
    `dialplan_setup_p50: ${ms(headline.dialplan?.setup?.p50)}`,
    `dialplan_setup_p99: ${ms(headline.dialplan?.setup?.p99)}`,
    `failed_calls: ${headline.failedCalls} calls`,
  ];
}

// What stopped a path, and what Asterisk and the controller reported while it ran.
export function pathNotes(outcome: PathOutcome, steps: StepResult[]): string[] {
  const ofPath = steps.filter((step) => step.path === outcome.path);
  const last = [...ofPath].reverse().find((step) => !step.passed) ?? ofPath[ofPath.length - 1];
  const section = (title: string, lines: string[]): string[] => (lines.length ? [`  ${title}:`, ...lines.map((line) => `    ${line}`)] : [`  ${title}: none`]);
  return [
    `${outcome.path} path: highest sustained rate ${outcome.maxRate} calls/s; stopped at ${outcome.stoppedBy}`,
    ...section('Asterisk warnings during its steps', warningSummary(ofPath, 'asteriskWarnings', 5)),
    ...section('controller warnings during its steps', warningSummary(ofPath, 'appWarnings', 5)),
    ...section(`deepest Asterisk queues at ${last ? `${last.rate} calls/s` : 'no step'}`, taskprocessorLines(last?.deepest ?? [])),
  ];
}
