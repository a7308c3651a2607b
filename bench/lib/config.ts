import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// What the call-setup bench needs: the bench profile (exported by bench/call-setup from
// scripts/profiles/bench.env), where to write, and the knobs of the rate ladder.
export interface BenchConfig {
  sipTarget: string;
  realm: string;
  adminUrl: string;
  adminToken: string;
  databaseUrl: string;
  ari: { url: string; user: string; password: string; app: string };
  // Asterisk's maxload as rendered for the bench profile (0 = off).
  maxload: number;
  // Also measure the controller with an ARI event filter (only the events it reads): a what-if.
  whatIfEventFilter: boolean;
  // Also a controller path whose caller is the target of a warrant (content: snoop + recording).
  whatIfIntercept: boolean;
  interceptAdminToken: string;
  outDir: string;
  asteriskLog: string;
  // Extra node flags for the controller (e.g. --cpu-prof).
  appNodeArgs: string[];
  // Also run each path with Asterisk pinned to one core and everything else to the other.
  pinned: boolean;
  pids: { asteriskFile: string; postgresFile: string; redisFile: string; natsFile: string };
  ladder: {
    rates: number[];
    stepSeconds: number;
    holdMs: number;
    // A rate is sustained only if every call was set up and the 99th percentile stayed below this.
    maxP99Ms: number;
    // With maxload on: before each step, wait (up to loadWaitSeconds) for the 1-minute load average
    // to fall below this, so that a refusal reflects the step itself rather than the one before.
    loadBelow: number;
    loadWaitSeconds: number;
  };
  ports: Record<'callee' | 'calleeMedia' | 'controller' | 'controllerMedia' | 'dialplan' | 'dialplanMedia' | 'filtered' | 'filteredMedia' | 'intercepted' | 'interceptedMedia' | 'lean' | 'leanMedia', number>;
}

export class BenchConfigError extends Error {
  constructor(name: string) {
    super(`${name} is not set: run the bench through bench/call-setup, which loads the bench profile`);
    this.name = 'BenchConfigError';
  }
}

function read(env: NodeJS.ProcessEnv, name: string, fallback?: string): string {
  const value = env[name] ?? fallback;
  if (value === undefined || value === '') throw new BenchConfigError(name);
  return value;
}

const numbers = (text: string): number[] =>
  text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number)
    .filter((n) => Number.isFinite(n) && n > 0);

// "maxload = 1.9" in the rendered asterisk.conf; 0 when absent or off.
function renderedMaxload(asteriskConf: string): number {
  if (!existsSync(asteriskConf)) return 0;
  const match = /^\s*maxload\s*=>?\s*([\d.]+)/m.exec(readFileSync(asteriskConf, 'utf8'));
  return match ? Number(match[1]) : 0;
}

export function loadBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const runDir = read(env, 'RUN_DIR');
  const maxload = renderedMaxload(join(read(env, 'AST_INSTANCE_DIR'), 'etc', 'asterisk.conf'));
  return {
    sipTarget: `${read(env, 'SIP_HOST')}:${read(env, 'SIP_PORT')}`,
    realm: read(env, 'SIP_REALM'),
    adminUrl: `http://${read(env, 'ADMIN_HOST')}:${read(env, 'ADMIN_PORT')}`,
    adminToken: read(env, 'ADMIN_TOKEN'),
    databaseUrl: read(env, 'DATABASE_URL'),
    ari: { url: read(env, 'ARI_URL'), user: read(env, 'ARI_USER'), password: read(env, 'ARI_PASSWORD'), app: read(env, 'ARI_APP') },
    maxload,
    whatIfEventFilter: env.CALL_SETUP_WHATIF_EVENT_FILTER === '1',
    whatIfIntercept: env.CALL_SETUP_WHATIF_INTERCEPT === '1',
    interceptAdminToken: read(env, 'INTERCEPT_ADMIN_TOKEN'),
    outDir: read(env, 'CALL_SETUP_OUT'),
    asteriskLog: join(read(env, 'AST_INSTANCE_DIR'), 'log', 'messages.log'),
    appNodeArgs: (env.CALL_SETUP_APP_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
    pinned: env.CALL_SETUP_PINNED !== '0',
    pids: {
      asteriskFile: join(runDir, 'asterisk.pid'),
      postgresFile: join(runDir, 'postgres.pid'),
      redisFile: join(runDir, 'redis.pid'),
      natsFile: join(runDir, 'nats.pid'),
    },
    ladder: {
      rates: numbers(read(env, 'CALL_SETUP_RATES', '25 50 100 150 200 250 300')),
      stepSeconds: Number(read(env, 'CALL_SETUP_STEP_SECONDS', '10')),
      holdMs: Number(read(env, 'CALL_SETUP_HOLD_MS', '1000')),
      maxP99Ms: Number(read(env, 'CALL_SETUP_MAX_P99_MS', '1000')),
      loadBelow: Number(read(env, 'CALL_SETUP_LOAD_BELOW', String(maxload * 0.6))),
      loadWaitSeconds: Number(read(env, 'CALL_SETUP_LOAD_WAIT_SECONDS', '30')),
    },
    // Bench ports: SIP 45000-45999, media 55000-55999 (the bench profile's PostgreSQL has 55434).
    ports: { callee: 45000, calleeMedia: 55100, controller: 45010, controllerMedia: 55110, dialplan: 45020, dialplanMedia: 55120, filtered: 45030, filteredMedia: 55130, intercepted: 45040, interceptedMedia: 55140, lean: 45050, leanMedia: 55150 },
  };
}
