import { randomBytes } from 'node:crypto';
import { configSchema, LOCAL_ONLY_INTERCEPT_KEY, type RawConfig } from './schema';

export interface AppConfig {
  env: 'development' | 'test' | 'production';
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  instanceId: string;
  admin: { host: string; port: number; token: string; tokenGenerated: boolean };
  database: { url: string; poolSize: number };
  redis: { url: string };
  nats: { url: string };
  events: { processedRetentionDays: number };
  ari: { url: string; user: string; password: string; app: string; maxSockets: number; requestTimeoutMs: number };
  sip: { host: string; port: number; realm: string; maxDevicesPerUser: number };
  calls: { ringTimeoutSeconds: number; userLookupCacheMs: number; carrierProgressTimeoutSeconds: number };
  billing: { defaultCurrency: string; sliceSeconds: number; warningToneSeconds: number };
  intercept: InterceptConfig;
  routing: RoutingConfig;
}

// The recommendation service's settings (app/routing's RoutingOptions accepts this as is).
export interface RoutingConfig {
  strategy: string;
  costWeight: number;
  qualityWeight: number;
  explorationRate: number;
  explorationMaxCalls: number;
  recentHalfLifeMinutes: number;
  historyDays: number;
  batchIntervalMinutes: number;
  carrierCurrency: string;
  referenceCallSeconds: number;
  refreshMs: number;
}

export interface InterceptConfig {
  enabled: boolean;
  storage:
    | { kind: 'local'; directories: string[] }
    // Credentials: the AWS SDK's default chain (instance or task role, web identity, AWS_* variables).
    | { kind: 's3'; buckets: string[]; prefix: string; region: string; endpoint?: string; forcePathStyle: boolean };
  encryptionKey: Buffer;
  retentionDays: number;
  verifyIntervalMs: number;
  tickMs: number;
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

// The only place that reads process.env. Fails fast with every problem listed at once.
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // An empty variable counts as unset, as in most deployment tools.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const raw = parsed.data;
  // Locally an unset token is generated (and printed by main); production refuses to start without one.
  const tokenGenerated = raw.ADMIN_TOKEN === undefined;
  return {
    env: raw.NODE_ENV,
    logLevel: raw.LOG_LEVEL,
    instanceId: raw.INSTANCE_ID,
    admin: {
      host: raw.ADMIN_HOST,
      port: raw.ADMIN_PORT,
      token: raw.ADMIN_TOKEN ?? randomBytes(24).toString('base64url'),
      tokenGenerated,
    },
    database: { url: raw.DATABASE_URL, poolSize: raw.DATABASE_POOL_SIZE },
    redis: { url: raw.REDIS_URL },
    nats: { url: raw.NATS_URL },
    events: { processedRetentionDays: raw.PROCESSED_EVENTS_RETENTION_DAYS },
    ari: {
      url: raw.ARI_URL.replace(/\/+$/, ''),
      user: raw.ARI_USER,
      password: raw.ARI_PASSWORD,
      app: raw.ARI_APP,
      maxSockets: raw.ARI_MAX_SOCKETS,
      requestTimeoutMs: raw.ARI_REQUEST_TIMEOUT_MS,
    },
    sip: { host: raw.SIP_HOST, port: raw.SIP_PORT, realm: raw.SIP_REALM, maxDevicesPerUser: raw.SIP_MAX_DEVICES_PER_USER },
    calls: { ringTimeoutSeconds: raw.RING_TIMEOUT_SECONDS, userLookupCacheMs: raw.USER_LOOKUP_CACHE_MS, carrierProgressTimeoutSeconds: raw.CARRIER_PROGRESS_TIMEOUT_SECONDS },
    billing: { defaultCurrency: raw.BILLING_DEFAULT_CURRENCY, sliceSeconds: raw.BILLING_SLICE_SECONDS, warningToneSeconds: raw.BILLING_WARNING_TONE_SECONDS },
    intercept: interceptConfigOf(raw),
    routing: {
      strategy: raw.ROUTING_STRATEGY,
      costWeight: raw.ROUTING_COST_WEIGHT,
      qualityWeight: raw.ROUTING_QUALITY_WEIGHT,
      explorationRate: raw.ROUTING_EXPLORATION_RATE,
      explorationMaxCalls: raw.ROUTING_EXPLORATION_MAX_CALLS,
      recentHalfLifeMinutes: raw.ROUTING_RECENT_HALF_LIFE_MINUTES,
      historyDays: raw.ROUTING_HISTORY_DAYS,
      batchIntervalMinutes: raw.ROUTING_BATCH_INTERVAL_MINUTES,
      carrierCurrency: raw.ROUTING_CARRIER_CURRENCY,
      referenceCallSeconds: raw.ROUTING_REFERENCE_CALL_SECONDS,
      refreshMs: raw.ROUTING_REFRESH_MS,
    },
  };
}


const list = (value: string | undefined): string[] => (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);

function interceptConfigOf(raw: RawConfig): InterceptConfig {
  const storage: InterceptConfig['storage'] =
    raw.INTERCEPT_STORAGE === 's3'
      ? {
          kind: 's3',
          buckets: list(raw.INTERCEPT_S3_BUCKETS),
          prefix: raw.INTERCEPT_S3_PREFIX,
          region: raw.INTERCEPT_S3_REGION,
          ...(raw.INTERCEPT_S3_ENDPOINT ? { endpoint: raw.INTERCEPT_S3_ENDPOINT } : {}),
          forcePathStyle: raw.INTERCEPT_S3_FORCE_PATH_STYLE,
        }
      : {
          kind: 'local',
          directories: raw.INTERCEPT_EVIDENCE_DIRS
            ? list(raw.INTERCEPT_EVIDENCE_DIRS)
            : Array.from({ length: raw.INTERCEPT_COPIES }, (_, i) => `.local/local/evidence/${i + 1}`),
        };
  return {
    enabled: raw.INTERCEPT_ENABLED ?? raw.NODE_ENV !== 'production',
    storage,
    // Production refuses to start without a key of its own (schema.ts).
    encryptionKey: Buffer.from(raw.INTERCEPT_ENCRYPTION_KEY ?? LOCAL_ONLY_INTERCEPT_KEY, 'base64'),
    retentionDays: raw.INTERCEPT_RETENTION_DAYS,
    verifyIntervalMs: raw.INTERCEPT_VERIFY_INTERVAL_MINUTES * 60_000,
    tickMs: raw.INTERCEPT_TICK_MS,
  };
}
