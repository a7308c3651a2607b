import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitForUdpPort } from './net';

export interface SippRun {
  // Resolves when sipp exits.
  done: Promise<SippResult>;
  process: ChildProcess;
  localPort: number;
  mediaPort?: number;
  kill(signal?: NodeJS.Signals): void;
}

export interface SippResult {
  exitCode: number | null;
  // Every SIP message sipp sent and received, as sipp traced them.
  trace: string;
  // First lines of the messages sipp received, in order (e.g. "SIP/2.0 200 OK", "BYE sip:...").
  received: string[];
  sent: string[];
  errors: string;
  stdout: string;
}

export interface SippOptions {
  scenario: string; // scenario XML
  target: string; // host:port of Asterisk
  localPort: number;
  mediaPort?: number;
  service?: string;
  auth?: { username: string; password: string };
  variables?: Record<string, string>;
  calls?: number;
  rate?: number;
  rtpEcho?: boolean;
  timeoutSeconds?: number;
  extraArgs?: string[];
  // The address sipp binds (SIP and media): 127.0.0.1 unless a fleet test puts it elsewhere.
  localIp?: string;
  // Runs sipp through this command, e.g. ['ip', 'netns', 'exec', 'fleet-carrier'] (fleet tests).
  prefix?: string[];
}

let scenarioCounter = 0;
const workDir = mkdtempSync(join(tmpdir(), 'sipp-'));

export function runSipp(options: SippOptions): SippRun {
  const id = `${process.pid}-${++scenarioCounter}`;
  const scenarioPath = join(workDir, `scenario-${id}.xml`);
  const tracePath = join(workDir, `messages-${id}.log`);
  const errorPath = join(workDir, `errors-${id}.log`);
  writeFileSync(scenarioPath, options.scenario);
  const args = [
    options.target,
    '-sf', scenarioPath,
    '-i', options.localIp ?? '127.0.0.1',
    '-p', String(options.localPort),
    '-m', String(options.calls ?? 1),
    '-nostdin',
    '-trace_msg', '-message_file', tracePath,
    '-trace_err', '-error_file', errorPath,
    '-timeout', `${options.timeoutSeconds ?? 60}s`,
    '-timeout_error',
  ];
  if (options.rate) args.push('-r', String(options.rate));
  if (options.mediaPort) args.push('-mi', options.localIp ?? '127.0.0.1', '-mp', String(options.mediaPort));
  if (options.rtpEcho) args.push('-rtp_echo');
  if (options.service) args.push('-s', options.service);
  if (options.auth) args.push('-au', options.auth.username, '-ap', options.auth.password);
  for (const [key, value] of Object.entries(options.variables ?? {})) args.push('-set', key, value);
  args.push(...(options.extraArgs ?? []));

  const [command, ...commandArgs] = [...(options.prefix ?? []), 'sipp', ...args];
  const child = spawn(command ?? 'sipp', commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  const done = new Promise<SippResult>((resolve) => {
    child.on('exit', (code) => {
      const trace = existsSync(tracePath) ? readFileSync(tracePath, 'utf8') : '';
      resolve({
        exitCode: code,
        trace,
        received: firstLines(trace, 'received'),
        sent: firstLines(trace, 'sent'),
        errors: existsSync(errorPath) ? readFileSync(errorPath, 'utf8') : '',
        stdout,
      });
    });
  });
  return {
    done,
    process: child,
    localPort: options.localPort,
    mediaPort: options.mediaPort,
    kill: (signal = 'SIGTERM') => child.kill(signal),
  };
}

// sipp's message trace: each message follows a line "UDP message received [N] bytes :" or
// "UDP message sent (N bytes):".
function firstLines(trace: string, direction: 'received' | 'sent'): string[] {
  const lines: string[] = [];
  const size = direction === 'received' ? '\\[\\d+\\] bytes :' : '\\(\\d+ bytes\\):';
  const pattern = new RegExp(`message ${direction} ${size}\\s*\\n\\s*\\n?([^\\r\\n]+)`, 'g');
  for (const match of trace.matchAll(pattern)) lines.push((match[1] ?? '').trim());
  return lines;
}

// Final status codes sipp received, e.g. [401, 100, 180, 200].
export function statusCodes(result: SippResult): number[] {
  return result.received.filter((line) => line.startsWith('SIP/2.0')).map((line) => Number(line.split(' ')[1]));
}

// The last final response sipp received (200 or higher), if any.
export const finalCode = (result: SippResult): number | undefined => statusCodes(result).filter((code) => code >= 200).slice(-1)[0];

// How many INVITEs sipp received (a carrier's view of our attempts).
export const invites = (result: SippResult): number => result.received.filter((line) => line.startsWith('INVITE ')).length;

export async function startSipp(options: SippOptions): Promise<SippRun> {
  const run = runSipp(options);
  await waitForUdpPort(options.localPort, 5000, run.process);
  return run;
}
