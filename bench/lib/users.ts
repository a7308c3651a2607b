import { randomBytes, randomInt } from 'node:crypto';
import { Client } from 'pg';

export interface BenchUser {
  id: string;
  username: string;
  password: string;
  phoneNumber: string;
}

// The dialplan context of the baseline (asterisk/conf/extensions.conf): plain Dial(), no controller.
export const PLAIN_DIAL_CONTEXT = 'bench-plain';

// A subscriber created through the admin API, as an operator would: users row and PJSIP realtime rows.
export async function createUser(admin: { url: string; token: string }, prefix: string): Promise<BenchUser> {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const input = {
      username: `${prefix}-${Date.now().toString(36)}${randomInt(100, 999)}`,
      password: `bench-${randomBytes(9).toString('base64url')}`,
      phoneNumber: `+1415${randomInt(200, 1000)}${String(randomInt(0, 10000)).padStart(4, '0')}`,
    };
    const res = await fetch(`${admin.url}/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    const body = (await res.json()) as { id?: string; code?: string };
    if (res.status === 201 && body.id) return { ...input, id: body.id };
    // A random phone number may already be taken by an earlier run's user: draw another.
    if (res.status !== 409) throw new Error(`creating bench user ${input.username} failed: ${res.status} ${JSON.stringify(body)}`);
  }
  throw new Error(`creating a bench user with prefix ${prefix} kept colliding`);
}

// Points an endpoint's calls at the plain Dial() context instead of the controller's Stasis app.
// Everything else (auth, AOR, codecs, NAT options) stays what the admin API created.
export async function useDialplanContext(databaseUrl: string, endpointId: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query('UPDATE ps_endpoints SET context = $1 WHERE id = $2', [PLAIN_DIAL_CONTEXT, endpointId]);
    if (result.rowCount !== 1) throw new Error(`no ps_endpoints row ${endpointId} to move to ${PLAIN_DIAL_CONTEXT}`);
  } finally {
    await client.end();
  }
}
