import { execFile, execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerScenario, uacCallScenario, uasScenario, carrierInviteScenario, type UacOptions, type UasBehaviour } from './sipp/scenarios';
import { runSipp, type SippResult, type SippRun, type SippOptions } from './sipp';

// The netns fleet of scripts/fleet.sh, as the fleet tests and bench/fleet see it: phones on the host
// (the bridge's address), the edge, the core's admin API, the nodes and the carrier host.
const PROJECT_ROOT = join(__dirname, '..', '..');
// FLEET_TAG/FLEET_NET as in scripts/lib/fleet-net.sh: a second fleet on the same machine.
const TAG = process.env.FLEET_TAG ?? '';
const NET = process.env.FLEET_NET ?? `198.18.${TAG || '0'}`;
export const fleetNamespace = (host: string): string => `fleet${TAG}-${host}`;

export const fleetEnv = {
  hostIp: `${NET}.1`,
  edgeIp: `${NET}.2`,
  coreIp: `${NET}.3`,
  carrierIp: `${NET}.4`,
  edgeTarget: `${NET}.2:5060`,
  // The host's side of the fleet network (tests add source addresses of their own on it).
  bridge: `fleet${TAG}-br0`,
  net: NET,
  adminUrl: `http://${NET}.3:8080`,
  nodeIp: (node: string): string => `${NET}.${10 + Number(node.replace('node-', ''))}`,
  databaseUrl: `postgresql://calling:calling-fleet-local-only@${NET}.3:5432/calling`,
  redisUrl: `redis://${NET}.3:6379`,
  natsUrl: [4222, 4223, 4224].map((port) => `nats://${NET}.3:${port}`).join(','),
};

export function adminToken(): string {
  if (process.env.ADMIN_TOKEN) return process.env.ADMIN_TOKEN;
  const file = join(PROJECT_ROOT, '.local', 'fleet', 'admin-token');
  if (!existsSync(file)) throw new Error('no fleet admin token: run scripts/fleet.sh up first');
  return readFileSync(file, 'utf8').trim();
}

// scripts/fleet.sh VERB ARGS: its exit code and what it printed.
export function fleet(...args: string[]): { code: number; output: string } {
  try {
    const output = execFileSync('bash', [join(PROJECT_ROOT, 'scripts', 'fleet.sh'), ...args], { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, output };
  } catch (error) {
    const failed = error as { status?: number; stdout?: string; stderr?: string };
    return { code: failed.status ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

// The same without blocking the event loop (for polling while sipp runs).
export function fleetAsync(...args: string[]): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile('bash', [join(PROJECT_ROOT, 'scripts', 'fleet.sh'), ...args], { cwd: PROJECT_ROOT, encoding: 'utf8' }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

export async function fleetApi(method: string, path: string, body?: unknown, baseUrl = fleetEnv.adminUrl): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { authorization: `Bearer ${adminToken()}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text && res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as Record<string, unknown>) : { text } };
}

export interface FleetUser {
  id: string;
  username: string;
  password: string;
  phoneNumber: string;
}

export async function createFleetUser(prefix: string): Promise<FleetUser> {
  const input = {
    username: `${prefix}${Date.now().toString(36)}${randomInt(1000, 9999)}`.slice(0, 32),
    password: `pw-${randomInt(1e8, 1e9)}`,
    phoneNumber: `+1415${randomInt(200, 1000)}${String(randomInt(0, 10000)).padStart(4, '0')}`,
  };
  const res = await fleetApi('POST', '/v1/users', input);
  if (res.status !== 201) throw new Error(`create user failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...input, id: String(res.body.id) };
}

// Ports on the host's bridge address for the fleet tests' phones (their own range: the e2e
// suites use TEST_PORT_BASE upwards on loopback).
let nextPort = 47000 + (process.pid % 50) * 40;
export interface FleetDevice {
  username: string;
  password: string;
  sipPort: number;
  mediaPort: number;
}
export function fleetDevice(user: { username: string; password: string }): FleetDevice {
  const sip = nextPort;
  nextPort += 4;
  return { username: user.username, password: user.password, sipPort: sip, mediaPort: sip + 2000 };
}

const onHost = (options: Omit<SippOptions, 'target' | 'localIp'>): SippOptions => ({ ...options, target: fleetEnv.edgeTarget, localIp: fleetEnv.hostIp });

export function registerThroughEdge(dev: FleetDevice, expires = 600): Promise<SippResult> {
  return runSipp(
    onHost({ scenario: registerScenario(), localPort: dev.sipPort, service: dev.username, auth: { username: dev.username, password: dev.password }, variables: { expires: String(expires) }, timeoutSeconds: 10 }),
  ).done;
}

// A device that answers `calls` calls (sipp handles them concurrently) and echoes the audio.
export async function answersThroughEdge(dev: FleetDevice, behaviour: UasBehaviour, calls = 1, timeoutSeconds = 120): Promise<SippRun> {
  const run = runSipp(onHost({ scenario: uasScenario(behaviour), localPort: dev.sipPort, mediaPort: dev.mediaPort, rtpEcho: true, calls, timeoutSeconds }));
  await waitForBound(run, dev.sipPort);
  return run;
}

// `calls` calls from the device at `rate` calls/s, each held holdMs and hung up by the caller.
export function callsThroughEdge(dev: FleetDevice, dialed: string, options: { calls: number; rate?: number; holdMs: number; timeoutSeconds?: number } & Partial<UacOptions>): SippRun {
  return runSipp(
    onHost({
      scenario: uacCallScenario({ hangup: 'caller', holdMs: options.holdMs, audio: options.audio ?? true, routed: true }),
      localPort: dev.sipPort + 1,
      mediaPort: dev.mediaPort + 40,
      service: dialed,
      auth: { username: dev.username, password: dev.password },
      variables: { caller: dev.username },
      calls: options.calls,
      ...(options.rate ? { rate: options.rate } : {}),
      timeoutSeconds: options.timeoutSeconds ?? 120,
      extraArgs: ['-l', String(options.calls)],
    }),
  );
}

// The carrier host's side: a sipp in the carrier namespace.
const inCarrier = ['ip', 'netns', 'exec', fleetNamespace('carrier')];
export async function carrierAnswersOnHost(port: number, behaviour: UasBehaviour, calls = 1): Promise<SippRun> {
  const run = runSipp({ scenario: uasScenario(behaviour), target: fleetEnv.edgeTarget, localIp: fleetEnv.carrierIp, localPort: port, mediaPort: port + 2000, rtpEcho: true, calls, timeoutSeconds: 90, prefix: inCarrier });
  await waitForBound(run, port);
  return run;
}
export function carrierCallsFromHost(port: number, to: string, from: string, holdMs = 1500): Promise<SippResult> {
  return runSipp({ scenario: carrierInviteScenario({ holdMs, routed: true }), target: fleetEnv.edgeTarget, localIp: fleetEnv.carrierIp, localPort: port, mediaPort: port + 2000, service: to, variables: { from }, timeoutSeconds: 60, prefix: inCarrier }).done;
}

// The UDP ports a process has bound, seen in its own network namespace (/proc/PID/net/udp).
async function waitForBound(run: SippRun, port: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')} `;
  while (Date.now() < deadline) {
    if (run.process.exitCode !== null) throw new Error(`sipp exited (${run.process.exitCode}) before binding udp ${port}`);
    try {
      if (readFileSync(`/proc/${run.process.pid}/net/udp`, 'utf8').includes(hex)) return;
    } catch {
      // the process is still starting
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`sipp did not bind udp ${port} within ${timeoutMs} ms`);
}

// calls_requested_total of one node's controller (its /metrics, labelled with the node).
export async function callsRequestedOn(node: string): Promise<number> {
  const res = await fleetApi('GET', '/metrics', undefined, `http://${fleetEnv.nodeIp(node)}:8080`);
  const text = typeof res.body.text === 'string' ? res.body.text : '';
  const line = text.split('\n').find((l) => l.startsWith('calls_requested_total{') && l.includes(`node="${node}"`));
  return line ? Number(line.split(' ').pop()) : 0;
}

// The final responses to INVITEs a caller received, challenges (401/407) left out: one per call
// that ended its set-up, e.g. [200, 200, 503]. Read from sipp's message trace.
export function inviteFinalCodes(result: SippResult): number[] {
  // By Call-ID: a retransmitted final response counts once.
  const codes = new Map<string, number>();
  for (const message of result.trace.split(/message received \[\d+\] bytes :/).slice(1)) {
    const status = /^\s*SIP\/2\.0 (\d{3})/.exec(message);
    const callId = /^Call-ID:\s*(\S+)/im.exec(message)?.[1];
    if (!status || !callId || !/^CSeq:\s*\d+ INVITE/im.test(message)) continue;
    const code = Number(status[1]);
    if (code >= 200 && code !== 401 && code !== 407) codes.set(callId, code);
  }
  return [...codes.values()];
}

async function fleetCsv(path: string, rows: string[]): Promise<void> {
  const res = await fetch(`${fleetEnv.adminUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${adminToken()}`, 'content-type': 'text/csv' }, body: rows.join('\n') });
  if (res.status >= 300) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
}

// A carrier on the carrier host (sipp at carrierIp:port), with a rate deck, and a user who may pay
// for calls to the phone network.
export async function fleetCarrier(name: string, port: number): Promise<string> {
  const res = await fleetApi('POST', '/v1/carriers', { name, host: fleetEnv.carrierIp, port, inboundMatch: `${fleetEnv.carrierIp}:${port}` });
  if (res.status !== 201) throw new Error(`create carrier: ${res.status} ${JSON.stringify(res.body)}`);
  const id = String(res.body.id);
  await fleetCsv(`/v1/carriers/${id}/rates`, ['prefix,rate_per_minute', '44,0.01', '1,0.01']);
  return id;
}

export async function fleetPayingUser(userId: string): Promise<void> {
  const plan = await fleetApi('POST', '/v1/price-plans', { name: `plan-${Date.now().toString(36)}-${randomInt(1e6)}`, currency: 'USD' });
  if (plan.status !== 201) throw new Error(`create plan: ${plan.status}`);
  await fleetCsv(`/v1/price-plans/${String(plan.body.id)}/rates`, ['prefix,rate_per_minute,connect_fee,first_increment,next_increment,time_from,time_to', '44,0.60,,1,1,,', '1,0.60,,1,1,,']);
  for (const [method, path, body] of [
    ['PUT', `/v1/users/${userId}/price-plan`, { planId: plan.body.id }],
    ['POST', `/v1/users/${userId}/balance`, { amount: '10.00', currency: 'USD', reference: `topup-${randomInt(1e9)}` }],
  ] as const) {
    const res = await fleetApi(method, path, body);
    if (res.status !== 200) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  }
}

// The call records of a caller, read from the fleet's PostgreSQL.
export async function fleetCallRecords(callerUserId: string): Promise<Array<{ call_id: string; end_cause: string; end_reason: string | null; answered_at: Date | null; ended_at: Date }>> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: fleetEnv.databaseUrl });
  await client.connect();
  try {
    const result = await client.query('SELECT call_id, end_cause, end_reason, answered_at, ended_at FROM call_records WHERE caller_user_id = $1 ORDER BY requested_at', [callerUserId]);
    return result.rows as Array<{ call_id: string; end_cause: string; end_reason: string | null; answered_at: Date | null; ended_at: Date }>;
  } finally {
    await client.end();
  }
}

export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await read();
  while (!done(last)) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    last = await read();
  }
  return last;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// One query on the fleet's PostgreSQL (the tests' own checks of records, ledger and invoices).
export async function fleetQuery<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: fleetEnv.databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}
