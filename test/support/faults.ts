import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { expect } from 'chai';
import pg from 'pg';
import { api, createUser, type TestUser } from './admin-client';
import { type Device } from './devices';
import { runSipp, startSipp, type SippRun } from './sipp';
import { uacCallScenario, uasScenario } from './sipp/scenarios';
import { PROJECT_ROOT, testEnv } from './test-env';

// What the fault suite (test/faults/) shares: the summary table, the profile's services stopped
// and started by scripts/stack.sh (by their PID files), and the questions asked of PostgreSQL.

// A row of the suite's summary (fault | calls during it | lost | duplicated | longest answer time):
// scripts/test.sh prints the file after the suite as its last lines; run alone, printed here.
export function summaryRow(row: string): void {
  const file = process.env.FAULTS_SUMMARY_FILE;
  if (file) appendFileSync(file, `${row}\n`);
  else process.stdout.write(`\n${row}\n`);
}

export function stackService(action: 'start' | 'stop' | 'restart', service: 'postgres' | 'redis' | 'nats' | 'asterisk'): void {
  execFileSync('bash', ['scripts/stack.sh', process.env.TEST_PROFILE ?? 'test', action, service], { cwd: PROJECT_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

// One pooled connection per question: PostgreSQL itself is stopped by some faults, and a pool
// opens a new connection after one was cut (a lone client would be broken for good).
let pool: pg.Pool | undefined;

export async function query<T>(text: string, values: unknown[] = []): Promise<T[]> {
  if (!pool) {
    pool = new pg.Pool({ connectionString: testEnv.databaseUrl, max: 2 });
    pool.on('error', (error) => process.stderr.write(`faults: idle PostgreSQL connection lost (${error.message})\n`));
  }
  return (await pool.query(text, values)).rows as T[];
}

export async function payingUser(prefix: string, balance = '5.00'): Promise<TestUser> {
  const plan = await api('POST', '/v1/price-plans', { name: `${prefix}-${Date.now().toString(36)}-${randomInt(1e6)}`, currency: 'USD', onNetRatePerMinute: '0.60', firstIncrementSeconds: 1, nextIncrementSeconds: 1 });
  expect(plan.status, JSON.stringify(plan.body)).to.equal(201);
  const user = await createUser(prefix);
  expect((await api('PUT', `/v1/users/${user.id}/price-plan`, { planId: plan.body.id })).status).to.equal(200);
  expect((await api('POST', `/v1/users/${user.id}/balance`, { amount: balance, currency: 'USD', reference: `${prefix}-${randomInt(1e9)}` })).status).to.equal(200);
  return user;
}

export interface RecordRow { call_id: string; end_cause: string; sip_code: number | null; talk_ms: number; ended_at: Date | null }
export const recordsOf = (caller: TestUser): Promise<RecordRow[]> =>
  query<RecordRow>('SELECT call_id, end_cause, sip_code, talk_ms, ended_at FROM call_records WHERE caller_user_id = $1 ORDER BY requested_at', [caller.id]);

// Invoice lines and ledger charges of a call: exactly one of each for an answered paid call.
export async function invoicing(callId: string): Promise<{ lines: number; charges: number }> {
  const [row] = await query<{ lines: number; charges: number }>(
    `SELECT (SELECT count(*)::int FROM invoice_lines WHERE call_id = $1) AS lines,
            (SELECT count(*)::int FROM ledger_entries WHERE call_id = $1 AND kind = 'charge') AS charges`,
    [callId],
  );
  return row ?? { lines: 0, charges: 0 };
}

// Whether the caller's latest live call is answered (the controller's view, GET /v1/calls).
export async function answered(caller: TestUser): Promise<boolean> {
  const calls = (await api('GET', `/v1/calls?user=${caller.id}`)).body.calls as Array<{ state: string }> | undefined;
  return calls?.[0]?.state === 'answered';
}

// A steady load: `calls` calls from one device to another, `rate` a second, each talking holdMs
// (sipp places them; the callee's sipp answers them all). sipp exits 0 only if every call completed.
export async function steadyLoad(from: Device, to: Device, options: { calls: number; rate: number; holdMs: number }): Promise<{ caller: SippRun; callee: SippRun }> {
  const callee = await startSipp({
    scenario: uasScenario({ kind: 'answer', ringMs: 50 }),
    target: testEnv.sipTarget,
    localPort: to.sipPort,
    mediaPort: to.mediaPort,
    calls: options.calls,
    timeoutSeconds: 180,
  });
  const caller = runSipp({
    scenario: uacCallScenario({ hangup: 'caller', holdMs: options.holdMs, audio: false }),
    target: testEnv.sipTarget,
    localPort: from.sipPort,
    mediaPort: from.mediaPort,
    service: to.username,
    auth: { username: from.username, password: from.password },
    variables: { caller: from.username },
    calls: options.calls,
    rate: options.rate,
    timeoutSeconds: 180,
  });
  return { caller, callee };
}

// How a caller's calls were settled: records, and invoice lines and charges beyond one per call.
export async function settlement(caller: TestUser): Promise<{ records: number; distinctCalls: number; lines: number; charges: number; extraLines: number; extraCharges: number }> {
  const [row] = await query<{ records: number; distinct_calls: number; lines: number; charges: number; line_calls: number; charge_calls: number }>(
    `SELECT (SELECT count(*)::int FROM call_records r WHERE r.caller_user_id = $1) AS records,
            (SELECT count(DISTINCT call_id)::int FROM call_records r WHERE r.caller_user_id = $1) AS distinct_calls,
            (SELECT count(*)::int FROM invoice_lines l WHERE l.call_id IN (SELECT call_id FROM call_records WHERE caller_user_id = $1)) AS lines,
            (SELECT count(DISTINCT l.call_id)::int FROM invoice_lines l WHERE l.call_id IN (SELECT call_id FROM call_records WHERE caller_user_id = $1)) AS line_calls,
            (SELECT count(*)::int FROM ledger_entries e WHERE e.kind = 'charge' AND e.call_id IN (SELECT call_id FROM call_records WHERE caller_user_id = $1)) AS charges,
            (SELECT count(DISTINCT e.call_id)::int FROM ledger_entries e WHERE e.kind = 'charge' AND e.call_id IN (SELECT call_id FROM call_records WHERE caller_user_id = $1)) AS charge_calls`,
    [caller.id],
  );
  if (!row) return { records: 0, distinctCalls: 0, lines: 0, charges: 0, extraLines: 0, extraCharges: 0 };
  return { records: row.records, distinctCalls: row.distinct_calls, lines: row.lines, charges: row.charges, extraLines: row.lines - row.line_calls, extraCharges: row.charges - row.charge_calls };
}

// The ids of the dead letters waiting now (the suites before share the stack and leave theirs:
// the integration tests dead-letter poison events on purpose).
export async function deadLetterIds(): Promise<string[]> {
  const res = await api('GET', '/v1/dead-letters?limit=1000');
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return (res.body.deadLetters as Array<{ id: string }>).map((letter) => letter.id);
}

// Dead letters written since `before` (deadLetterIds() taken before the fault).
export async function newDeadLetters(before: string[]): Promise<unknown[]> {
  const res = await api('GET', '/v1/dead-letters?limit=1000');
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  // Synthetic events of the integration suite (subjects call.v1.test-*, published by its outbox
  // tests on the same stack and adopted later by any controller) are not this suite's calls: the
  // intercept consumer dead-letters them as invalid whenever they reach it.
  return (res.body.deadLetters as Array<{ id: string; subject?: string }>).filter((letter) => !before.includes(letter.id) && !letter.subject?.startsWith('call.v1.test-'));
}

export async function endPool(): Promise<void> {
  await pool?.end();
  pool = undefined;
}
