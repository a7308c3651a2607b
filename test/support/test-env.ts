import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export const PROJECT_ROOT = join(__dirname, '..', '..');

// The test profile's settings (ports, URLs). scripts/test.sh exports them; when a test file is run
// on its own, they are read from scripts/profiles/<TEST_PROFILE or test>.env the same way.
function profileEnv(): Record<string, string> {
  const profile = process.env.TEST_PROFILE ?? 'test';
  if (process.env.PROFILE === profile && process.env.DATABASE_URL) return process.env as Record<string, string>;
  const output = execFileSync('bash', ['-c', `. scripts/lib/common.sh && load_profile ${profile} && env -0`], { cwd: PROJECT_ROOT });
  const env: Record<string, string> = {};
  for (const entry of output.toString().split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

const env = profileEnv();
const required = (name: string): string => {
  const value = env[name];
  if (!value) throw new Error(`test profile has no ${name}`);
  return value;
};

export const testEnv = {
  all: env,
  sipTarget: `${required('SIP_HOST')}:${required('SIP_PORT')}`,
  sipPort: Number(required('SIP_PORT')),
  adminUrl: `http://${required('ADMIN_HOST')}:${required('ADMIN_PORT')}`,
  // The workers' own /metrics (app/config: WORKERS_METRICS_PORT, else ADMIN_PORT + 1).
  workersMetricsUrl: `http://${required('ADMIN_HOST')}:${env.WORKERS_METRICS_PORT ?? Number(required('ADMIN_PORT')) + 1}/metrics`,
  adminToken: process.env.ADMIN_TOKEN ?? 'test-admin-token-not-secret',
  // The owner's connection (fixtures and assertions); the controller logs in as calling_app.
  databaseUrl: required('DATABASE_URL'),
  appDatabaseUrl: required('APP_DATABASE_URL'),
  redisUrl: required('REDIS_URL'),
  // Redis's `ops` ACL user: commands the app's user may not run (MONITOR).
  redisOpsUrl: required('REDIS_OPS_URL'),
  // The profile's REDIS_URL (its ACL user and password) through another port: a test's TCP proxy.
  redisUrlVia: (port: number): string => {
    const url = new URL(required('REDIS_URL'));
    url.hostname = '127.0.0.1';
    url.port = String(port);
    return url.toString();
  },
  natsUrl: required('NATS_URL'),
  ariUrl: required('ARI_URL'),
  ariUser: required('ARI_USER'),
  ariPassword: required('ARI_PASSWORD'),
  sipRealm: required('SIP_REALM'),
  // The switch is behind the profile's SIP edge (AORs keep its Path): modules the tests compose
  // themselves are set up the same way as the app.
  sipBehindEdge: env.SIP_BEHIND_EDGE === 'true',
};
