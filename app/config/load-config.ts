import { randomBytes } from 'node:crypto';
import { interceptConfigOf, type InterceptConfig } from './intercept-config';
import { retiredInterceptIssues } from './intercept-schema';
import { parseEmergencyNumbers } from './call-policy-schema';
import { configSchema } from './schema';
import { adminInClearBeyondLoopback, parseTrustedProxies } from './exposure-schema';
import { type AlarmConfig } from './alarm-config';

export interface AppConfig {
  env: 'development' | 'test' | 'production';
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  instanceId: string;
  // The switch node this instance drives (NODE_NAME, else the instance id).
  nodeName: string;
  // NODE_NAME was given: this controller drives one node of a fleet (its own calls only).
  fleetNode: boolean;
  // FLEET_ROLE: a node places calls on its own switch; the admin instance has none to place them on.
  placesCalls: boolean;
  console: { assetsDir: string };
  phone: { assetsDir: string; wssUrl?: string; domain: string };
  alarms: AlarmConfig;
  admin: { host: string; port: number; token: string; tokenGenerated: boolean; tls?: { certFile: string; keyFile: string }; trustedProxies: string[]; inClearBeyondLoopback: boolean };
  // The workers' /metrics: on the admin API's host (and TLS, if it has one), this port.
  workers: { metricsPort: number };
  // The SIP edge's RPC (bans, attack counters); undefined without an edge.
  edge?: { rpcUrl: string; rpcTimeoutMs: number };
  database: { url: string; poolSize: number };
  redis: { url: string; commandTimeoutMs: number };
  nats: { url: string; streamReplicas: number };
  events: { processedRetentionDays: number };
  ari: { url: string; user: string; password: string; app: string; maxSockets: number; requestTimeoutMs: number };
  ami: { host: string; port: number; user: string; password: string; timeoutMs: number };
  sip: { host: string; port: number; realm: string; maxDevicesPerUser: number; behindEdge: boolean; edgeNodeSide: string };
  calls: { ringTimeoutSeconds: number; userLookupCacheMs: number; carrierProgressTimeoutSeconds: number; path: 'stasis' | 'dialplan' };
  billing: { defaultCurrency: string; sliceSeconds: number; warningToneSeconds: number };
  switchEvents: { file: string | undefined; maxBytes: number };
  intercept: InterceptConfig;
  routing: RoutingConfig;
  callPolicy: CallPolicyConfig;
}

// Call admission rules (app/call-policy accepts this as is).
export interface CallPolicyConfig {
  // Country (ISO 3166 alpha-2) -> its emergency and short numbers, the first one sent to its carriers.
  emergencyNumbers: Record<string, string[]>;
  emergencyCarrierRefreshMs: number;
  blockedPrefixes: string[];
  cacheMs: number;
  destinationCallsPerMinute: number;
  destinationBlockMinutes: number;
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
  const retired = retiredInterceptIssues(present).map((issue) => `${issue.path}: ${issue.message}`);
  if (!parsed.success || retired.length > 0) {
    throw new ConfigError([...(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)), ...retired]);
  }
  const raw = parsed.data;
  // Locally an unset token is generated (and printed by main); production refuses to start without one.
  const tokenGenerated = raw.ADMIN_TOKEN === undefined;
  return {
    env: raw.NODE_ENV,
    logLevel: raw.LOG_LEVEL,
    instanceId: raw.INSTANCE_ID,
    nodeName: raw.NODE_NAME ?? raw.INSTANCE_ID,
    console: { assetsDir: raw.CONSOLE_ASSETS_DIR },
    phone: { assetsDir: raw.PHONE_ASSETS_DIR, domain: raw.SIP_REALM, ...webPhoneWss(raw) },
    alarms: {
      intervalSeconds: raw.ALARM_INTERVAL_SECONDS,
      carrierAsrMin: raw.ALARM_CARRIER_ASR_MIN,
      carrierAsrMinCalls: raw.ALARM_CARRIER_ASR_MIN_CALLS,
      carrierAsrWindowMinutes: raw.ALARM_CARRIER_ASR_WINDOW_MINUTES,
      balanceLowMinor: raw.ALARM_BALANCE_LOW_MINOR,
      destinationSpikeCalls: raw.ALARM_DESTINATION_SPIKE_CALLS,
      destinationSpikeWindowMinutes: raw.ALARM_DESTINATION_SPIKE_WINDOW_MINUTES,
      deadLettersMax: raw.ALARM_DEAD_LETTERS_MAX,
    },
    fleetNode: raw.NODE_NAME !== undefined,
    placesCalls: raw.FLEET_ROLE === 'node',
    admin: {
      host: raw.ADMIN_HOST,
      port: raw.ADMIN_PORT,
      token: raw.ADMIN_TOKEN ?? randomBytes(24).toString('base64url'),
      tokenGenerated,
      ...(raw.ADMIN_TLS_CERT_FILE && raw.ADMIN_TLS_KEY_FILE ? { tls: { certFile: raw.ADMIN_TLS_CERT_FILE, keyFile: raw.ADMIN_TLS_KEY_FILE } } : {}),
      trustedProxies: parseTrustedProxies(raw.ADMIN_TRUSTED_PROXIES).entries,
      inClearBeyondLoopback: adminInClearBeyondLoopback(raw.ADMIN_HOST, raw.ADMIN_TLS_CERT_FILE !== undefined, parseTrustedProxies(raw.ADMIN_TRUSTED_PROXIES).entries),
    },
    workers: { metricsPort: raw.WORKERS_METRICS_PORT ?? raw.ADMIN_PORT + 1 },
    ...(raw.EDGE_RPC_URL ? { edge: { rpcUrl: raw.EDGE_RPC_URL, rpcTimeoutMs: raw.EDGE_RPC_TIMEOUT_MS } } : {}),
    database: { url: raw.DATABASE_URL, poolSize: raw.DATABASE_POOL_SIZE },
    redis: { url: raw.REDIS_URL, commandTimeoutMs: raw.REDIS_COMMAND_TIMEOUT_MS },
    nats: { url: raw.NATS_URL, streamReplicas: raw.NATS_STREAM_REPLICAS },
    events: { processedRetentionDays: raw.PROCESSED_EVENTS_RETENTION_DAYS },
    ari: {
      url: raw.ARI_URL.replace(/\/+$/, ''),
      user: raw.ARI_USER,
      password: raw.ARI_PASSWORD,
      app: raw.ARI_APP,
      maxSockets: raw.ARI_MAX_SOCKETS,
      requestTimeoutMs: raw.ARI_REQUEST_TIMEOUT_MS,
    },
    ami: amiOf(raw),
    sip: { host: raw.SIP_HOST, port: raw.SIP_PORT, realm: raw.SIP_REALM, maxDevicesPerUser: raw.SIP_MAX_DEVICES_PER_USER, behindEdge: raw.SIP_BEHIND_EDGE, edgeNodeSide: raw.SIP_EDGE_NODE_SIDE ?? `${raw.SIP_HOST}:${raw.SIP_PORT}` },
    calls: { ringTimeoutSeconds: raw.RING_TIMEOUT_SECONDS, userLookupCacheMs: raw.USER_LOOKUP_CACHE_MS, carrierProgressTimeoutSeconds: raw.CARRIER_PROGRESS_TIMEOUT_SECONDS, path: raw.CALL_PATH },
    billing: { defaultCurrency: raw.BILLING_DEFAULT_CURRENCY, sliceSeconds: raw.BILLING_SLICE_SECONDS, warningToneSeconds: raw.BILLING_WARNING_TONE_SECONDS },
    switchEvents: { file: raw.SWITCH_EVENTS_FILE, maxBytes: raw.SWITCH_EVENTS_MAX_BYTES },
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
    callPolicy: {
      emergencyNumbers: parseEmergencyNumbers(raw.EMERGENCY_NUMBERS).table,
      emergencyCarrierRefreshMs: raw.EMERGENCY_CARRIER_REFRESH_MS,
      blockedPrefixes: raw.BLOCKED_PREFIXES.split(',').filter(Boolean),
      cacheMs: raw.CALL_POLICY_CACHE_MS,
      destinationCallsPerMinute: raw.FRAUD_DESTINATION_CALLS_PER_MINUTE,
      destinationBlockMinutes: raw.FRAUD_DESTINATION_BLOCK_MINUTES,
    },
  };
}


// The edge's secure websocket for the web phone: given, or the edge's default port behind an edge.
function webPhoneWss(raw: { WEB_PHONE_WSS_URL?: string; SIP_BEHIND_EDGE: boolean; SIP_HOST: string }): { wssUrl?: string } {
  if (raw.WEB_PHONE_WSS_URL) return { wssUrl: raw.WEB_PHONE_WSS_URL };
  return raw.SIP_BEHIND_EDGE ? { wssUrl: `wss://${raw.SIP_HOST}:8443` } : {};
}

// AMI beside ARI unless told otherwise: ARI's host, ARI's port + 50, ARI's credentials.
function amiOf(raw: { ARI_URL: string; ARI_USER: string; ARI_PASSWORD: string; ARI_REQUEST_TIMEOUT_MS: number; AMI_HOST?: string | undefined; AMI_PORT?: number | undefined }): AppConfig['ami'] {
  const ari = new URL(raw.ARI_URL);
  const ariPort = Number(ari.port || (ari.protocol === 'https:' ? 443 : 80));
  return { host: raw.AMI_HOST ?? ari.hostname, port: raw.AMI_PORT ?? ariPort + 50, user: raw.ARI_USER, password: raw.ARI_PASSWORD, timeoutMs: Math.min(raw.ARI_REQUEST_TIMEOUT_MS, 3000) };
}
