import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// sipp as a child process. Each run works in its own directory: sipp writes its statistics, errors
// and response times next to the scenario, named after the scenario and its pid.
export interface SippProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export function startSipp(dir: string, name: string, scenario: string, args: string[]): SippProcess {
  const scenarioFile = `${name}.xml`;
  writeFileSync(join(dir, scenarioFile), scenario);
  const output = openSync(join(dir, `${name}.out`), 'w');
  const child = spawn('sipp', ['-sf', scenarioFile, ...args], { cwd: dir, stdio: ['ignore', output, output] });
  closeSync(output);
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(signal ? null : code));
  });
  return {
    child,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

// Final counters of a run, from sipp's -trace_stat file (its last line is the cumulative dump).
export interface SippCounters {
  created: number;
  successful: number;
  failed: number;
  failedTimeout: number;
  failedUnexpected: number;
  failedRetransmissions: number;
  retransmissions: number;
}

export function readCounters(statFile: string): SippCounters {
  const lines = readFileSync(statFile, 'utf8').split('\n').filter(Boolean);
  const header = (lines[0] ?? '').split(';');
  const last = (lines[lines.length - 1] ?? '').split(';');
  const value = (column: string): number => {
    const index = header.indexOf(column);
    return index < 0 ? 0 : Number(last[index] ?? 0);
  };
  return {
    created: value('TotalCallCreated'),
    successful: value('SuccessfulCall(C)'),
    failed: value('FailedCall(C)'),
    failedTimeout: value('FailedTimeoutOnRecv(C)'),
    failedUnexpected: value('FailedUnexpectedMessage(C)'),
    failedRetransmissions: value('FailedMaxUDPRetrans(C)'),
    retransmissions: value('Retransmissions(C)'),
  };
}

// Response times of one named rtd (-trace_rtt), in ms, with when each was measured (ms since start).
export function readResponseTimes(dir: string, name: string, pid: number, rtd: string): { at: number; ms: number }[] {
  const file = join(dir, `${name}_${pid}_rtt.csv`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.split(';'))
    .filter((fields) => fields[2]?.trim() === rtd)
    .map((fields) => ({ at: Number(fields[0]), ms: Number(fields[1]) }))
    .filter((sample) => Number.isFinite(sample.ms));
}

// Why calls failed, from sipp's -trace_err log: the status code of each unexpected response
// that aborted a call ("503"), or "timeout" for a call that waited too long for a response.
export function readFailureReasons(errorFile: string): Record<string, number> {
  const counts: Record<string, number> = {};
  if (!existsSync(errorFile)) return counts;
  const text = readFileSync(errorFile, 'utf8');
  for (const match of text.matchAll(/Aborting call on unexpected message[^']*'SIP\/2\.0 (\d{3})/g)) {
    const code = match[1] ?? '?';
    counts[code] = (counts[code] ?? 0) + 1;
  }
  const timeouts = (text.match(/receive timeout on message/g) ?? []).length;
  if (timeouts > 0) counts.timeout = timeouts;
  return counts;
}

// Resolves once a UDP port is bound (sipp is ready to receive), or fails after timeoutMs.
export async function waitForUdpPort(port: number, timeoutMs: number, process: SippProcess): Promise<void> {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const bound = ['/proc/net/udp', '/proc/net/udp6'].some((file) => existsSync(file) && readFileSync(file, 'utf8').split('\n').some((line) => line.trim().split(/\s+/)[1]?.endsWith(hex)));
    if (bound) return;
    if (process.child.exitCode !== null) throw new Error(`sipp exited (${process.child.exitCode}) before binding udp ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`sipp did not bind udp ${port} within ${timeoutMs} ms`);
}
