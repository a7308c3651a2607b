import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { api } from '../admin-client';
import { eventually } from '../ari';
import { PROJECT_ROOT, testEnv } from '../test-env';

export interface InterceptEvent {
  seq: number;
  kind: string;
  correlationId?: string;
  callId?: string;
  occurredAt: string;
  payload: Record<string, unknown>;
  hash: string;
  prevHash: string;
}

export interface InterceptRecording {
  id: string;
  correlationId: string;
  callId: string;
  state: string;
  durationMs?: number;
  sha256?: string;
  copies: number;
}

// The evidence directories of the test profile: .local/<profile>/evidence/<n>.
export const evidenceDirs = [1, 2, 3].map((n) => `${PROJECT_ROOT}/.local/${testEnv.all.PROFILE ?? 'test'}/evidence/${n}`);
// The intercept administrator's token (agencies, warrants) and the intercept log the tests give the app.
export const interceptAdminToken = process.env.INTERCEPT_ADMIN_TOKEN ?? 'test-intercept-admin-token-not-secret';
export const interceptLogFile = `${PROJECT_ROOT}/.local/${testEnv.all.PROFILE ?? 'test'}/intercept.log`;
// What an app under test needs for interception.
export const interceptAppEnv = (): Record<string, string> => ({
  INTERCEPT_EVIDENCE_DIRS: evidenceDirs.join(','),
  INTERCEPT_ADMIN_TOKEN: interceptAdminToken,
  INTERCEPT_LOG_FILE: interceptLogFile,
});

export async function createAgency(name: string): Promise<{ id: string; token: string }> {
  const res = await api('POST', '/v1/agencies', { name }, interceptAdminToken);
  if (res.status !== 201) throw new Error(`create agency: ${res.status} ${JSON.stringify(res.body)}`);
  return { id: String(res.body.id), token: String(res.body.token) };
}

export async function activateWarrant(body: Record<string, unknown>): Promise<string> {
  const res = await api('POST', '/v1/warrants', body, interceptAdminToken);
  if (res.status !== 201) throw new Error(`activate warrant: ${res.status} ${JSON.stringify(res.body)}`);
  return String(res.body.id);
}

export async function eventsOf(warrantId: string, token: string): Promise<InterceptEvent[]> {
  const res = await api('GET', `/v1/warrants/${warrantId}/events`, undefined, token);
  if (res.status !== 200) throw new Error(`events: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.events as InterceptEvent[];
}

export async function recordingsOf(warrantId: string, token: string): Promise<InterceptRecording[]> {
  const res = await api('GET', `/v1/warrants/${warrantId}/recordings`, undefined, token);
  if (res.status !== 200) throw new Error(`recordings: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.recordings as InterceptRecording[];
}

export function storedRecordings(warrantId: string, token: string, count: number, timeoutMs = 20_000): Promise<InterceptRecording[]> {
  return eventually(
    () => recordingsOf(warrantId, token),
    (list) => list.filter((r) => r.state === 'stored').length >= count,
    timeoutMs,
  ).then((list) => list.filter((r) => r.state === 'stored'));
}

export async function audioOf(warrantId: string, recordingId: string, token: string): Promise<{ status: number; wav: Buffer; sha256: string | null }> {
  const res = await fetch(`${testEnv.adminUrl}/v1/warrants/${warrantId}/recordings/${recordingId}/audio`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, wav: Buffer.from(await res.arrayBuffer()), sha256: res.headers.get('x-content-sha256') };
}

export async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: testEnv.databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

// scripts/intercept-verify.sh on the test profile: the JSON report and the exit code.
export function runVerification(): { code: number | null; report: Record<string, unknown>; stderr: string } {
  const run = spawnSync('bash', ['scripts/intercept-verify.sh', testEnv.all.PROFILE ?? 'test'], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...interceptAppEnv(), LOG_LEVEL: 'warn' },
  });
  const start = run.stdout.indexOf('{\n');
  return { code: run.status, report: start >= 0 ? (JSON.parse(run.stdout.slice(start)) as Record<string, unknown>) : {}, stderr: run.stderr + run.stdout };
}
