import { isIP } from 'node:net';
import { z } from 'zod';

// The admin API's exposure (TLS, trusted reverse proxies) and the SIP edge's RPC: their
// variables, part of configSchema.
export const exposureVariables = {
  // The admin API over TLS on its own listener: both set, or neither (plain HTTP, meant for the
  // loopback or a reverse proxy). PEM files, read once at start.
  ADMIN_TLS_CERT_FILE: z.string().startsWith('/', 'an absolute path').optional(),
  ADMIN_TLS_KEY_FILE: z.string().startsWith('/', 'an absolute path').optional(),
  // Reverse proxies in front of the admin API (comma-separated addresses or CIDR blocks): only a
  // request from one of them may name its client in X-Forwarded-For, and only the hops they add
  // are believed, so audit logs show the real client's address, never the proxy's. Empty: none.
  ADMIN_TRUSTED_PROXIES: z.string().optional(),
  // The SIP edge's RPC (kamailio/edge-guard.cfg: JSON-RPC over UDP, udp://host:port, on the
  // edge's internal address): bans listed and lifted through /v1/sip-bans, the edge's attack
  // counters in /metrics. Unset: no edge (one switch, no /v1/sip-bans).
  EDGE_RPC_URL: z.url({ protocol: /^udp$/ }).optional(),
  EDGE_RPC_TIMEOUT_MS: z.coerce.number().int().positive().max(30_000).default(2000),
};

type ExposureEnv = z.infer<z.ZodObject<typeof exposureVariables>>;

// "10.0.0.1, 10.1.0.0/16" -> the entries, each an address or an address/prefix; invalid ones named.
export function parseTrustedProxies(value: string | undefined): { entries: string[]; invalid: string[] } {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const invalid = entries.filter((entry) => {
    const [address = '', prefix] = entry.split('/', 2);
    const family = isIP(address);
    if (family === 0) return true;
    if (prefix === undefined) return false;
    const bits = Number(prefix);
    return !/^\d+$/.test(prefix) || bits > (family === 4 ? 32 : 128);
  });
  return { entries, invalid };
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function exposureIssues(env: ExposureEnv): Array<{ path: string; message: string }> {
  const issues: Array<{ path: string; message: string }> = [];
  if ((env.ADMIN_TLS_CERT_FILE === undefined) !== (env.ADMIN_TLS_KEY_FILE === undefined)) {
    issues.push({ path: 'ADMIN_TLS_KEY_FILE', message: 'ADMIN_TLS_CERT_FILE and ADMIN_TLS_KEY_FILE go together' });
  }
  const proxies = parseTrustedProxies(env.ADMIN_TRUSTED_PROXIES);
  if (proxies.invalid.length > 0) issues.push({ path: 'ADMIN_TRUSTED_PROXIES', message: `not an address or CIDR block: ${proxies.invalid.join(', ')}` });
  if (env.EDGE_RPC_URL !== undefined && !/:\d+$/.test(new URL(env.EDGE_RPC_URL).host)) {
    issues.push({ path: 'EDGE_RPC_URL', message: 'needs a port (udp://host:port)' });
  }
  return issues;
}

// Whether the admin API takes bearer tokens in clear beyond this machine: plain HTTP on a
// non-loopback address with no TLS-terminating proxy declared. Not refused (a container binds its
// own interface and is published on the host's loopback), but warned about at start.
export function adminInClearBeyondLoopback(host: string, tls: boolean, trustedProxies: string[]): boolean {
  return !LOOPBACK.test(host) && !tls && trustedProxies.length === 0;
}
