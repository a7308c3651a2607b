import { randomInt } from 'node:crypto';
import { api } from './admin-client';

export type Role = 'admin' | 'billing' | 'support';

export interface TestOperator {
  id: string;
  username: string;
  password: string;
  role: Role;
  token: string;
}

// An operator created with the break-glass ADMIN_TOKEN, and an API token of its own.
export async function createOperator(role: Role, prefix: string = role): Promise<TestOperator> {
  const input = { username: `${prefix}-${Date.now().toString(36)}${randomInt(1000, 9999)}`, password: `op-pass-${randomInt(1e8, 1e9)}`, role };
  const created = await api('POST', '/v1/operators', input);
  if (created.status !== 201) throw new Error(`create operator failed: ${created.status} ${JSON.stringify(created.body)}`);
  const id = String(created.body.id);
  const issued = await api('POST', `/v1/operators/${id}/tokens`, { name: 'e2e' });
  if (issued.status !== 201) throw new Error(`issue token failed: ${issued.status} ${JSON.stringify(issued.body)}`);
  return { ...input, id, token: String(issued.body.token) };
}
