import { randomInt } from 'node:crypto';
import { testEnv } from './test-env';

export interface TestUser {
  id: string;
  username: string;
  password: string;
  phoneNumber: string;
}

export async function api(method: string, path: string, body?: unknown, token: string | null = testEnv.adminToken): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${testEnv.adminUrl}${path}`, { method, headers, body: typeof body === 'string' ? body : body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

export function uniqueUsername(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${randomInt(1000, 9999)}`.toLowerCase().slice(0, 32);
}

// A random valid North American number (415 area code, exchange 200-999).
export function uniquePhoneNumber(): string {
  return `+1415${randomInt(200, 1000)}${String(randomInt(0, 10000)).padStart(4, '0')}`;
}

export async function createUser(prefix = 'user'): Promise<TestUser> {
  const input = { username: uniqueUsername(prefix), password: `pw-${randomInt(1e8, 1e9)}`, phoneNumber: uniquePhoneNumber() };
  const res = await api('POST', '/v1/users', input);
  if (res.status !== 201) throw new Error(`create user failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { ...input, id: String(res.body.id) };
}
