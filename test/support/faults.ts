import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { expect } from 'chai';
import pg from 'pg';
import { api, createUser, type TestUser } from './admin-client';
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

export async function payingUser(prefix: string): Promise<TestUser> {
  const plan = await api('POST', '/v1/price-plans', { name: `${prefix}-${Date.now().toString(36)}-${randomInt(1e6)}`, currency: 'USD', onNetRatePerMinute: '0.60', firstIncrementSeconds: 1, nextIncrementSeconds: 1 });
  expect(plan.status, JSON.stringify(plan.body)).to.equal(201);
  const user = await createUser(prefix);
  expect((await api('PUT', `/v1/users/${user.id}/price-plan`, { planId: plan.body.id })).status).to.equal(200);
  expect((await api('POST', `/v1/users/${user.id}/balance`, { amount: '5.00', currency: 'USD', reference: `${prefix}-${randomInt(1e9)}` })).status).to.equal(200);
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

export async function deadLetters(): Promise<unknown[]> {
  const res = await api('GET', '/v1/dead-letters');
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body.deadLetters as unknown[];
}

export async function endPool(): Promise<void> {
  await pool?.end();
  pool = undefined;
}
