import { z } from 'zod';
import { callPolicyIssues, callPolicyVariables } from './call-policy-schema';
import { interceptIssues, interceptVariables } from './intercept-schema';
import { exposureIssues, exposureVariables } from './exposure-schema';

const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();

export { LOCAL_ONLY_INTERCEPT_KEY } from './intercept-schema';

// Every environment variable the application reads. Defaults are the local ones
// (scripts/profiles/local.env); .env.example documents them.
export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
    // Part of Redis keys (`outbox:<id>`, `controller:<id>:lease`): letters, digits, '.', '_' and '-'.
    INSTANCE_ID: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, ".", "_" or "-", at most 64').default('controller-1'),
    // The switch node this controller drives (fleet: node-1 .. node-N); logs and metrics carry it.
    // Set, the controller is one node's and takes over only its own calls after a restart (a peer's
    // live on another Asterisk). Unset: the INSTANCE_ID, and controllers sharing one Asterisk take
    // over a stopped peer's calls.
    NODE_NAME: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, ".", "_" or "-", at most 64').optional(),
    // In a fleet: `node`, a controller with a switch of its own that places click-to-calls; `admin`,
    // an instance that answers operators and drives no call (the fleet's core): its click-to-calls
    // are placed by a node whose switch is up.
    FLEET_ROLE: z.enum(['node', 'admin']).default('node'),

    ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
    ADMIN_PORT: port.default(8080),
    ADMIN_TOKEN: z.string().optional(),
    // The workers' process (app/bin/workers-main.ts) serves its own /metrics (the consumers') on
    // ADMIN_HOST at this port; unset: ADMIN_PORT + 1.
    WORKERS_METRICS_PORT: port.optional(),
    // The built console (scripts/build-console.mjs), served under /console.
    CONSOLE_ASSETS_DIR: z.string().min(1).default('dist/console'),
    // The built web phone (scripts/build-console.mjs), served under /phone.
    PHONE_ASSETS_DIR: z.string().min(1).default('dist/phone'),
    // Where browsers reach the edge's secure websocket; behind an edge it defaults to
    // wss://SIP_HOST:8443, without one the web phone is unavailable.
    WEB_PHONE_WSS_URL: z.union([z.literal(''), z.url({ protocol: /^wss$/ })]).optional(),

    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgresql://calling_app:calling-local-only-app@127.0.0.1:55432/calling'),
    DATABASE_POOL_SIZE: positiveInt.default(10),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://calling:calling-local-only-redis@127.0.0.1:56379'),
    // A Redis command not answered in this long fails (a new call is then refused with 503 well
    // within a second); commands are never queued while Redis is unreachable.
    REDIS_COMMAND_TIMEOUT_MS: positiveInt.max(10_000).default(500),
    NATS_URL: z.string().min(1).default('nats://calling:calling-local-only-nats@127.0.0.1:54222'),
    // Copies of each JetStream stream: 1 on one server, 3 on a 3-server cluster (scripts/fleet.sh).
    NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
    // Consumers' processed-event marks are deleted this long after the event was applied: far past
    // JetStream's duplicate window (10 min) and any redelivery; the default outlives the call-events
    // stream's 30 days, so even a replay of the whole stream finds every mark.
    PROCESSED_EVENTS_RETENTION_DAYS: positiveInt.max(3650).default(35),

    ARI_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8088'),
    ARI_USER: z.string().min(1).default('calls'),
    ARI_PASSWORD: z.string().min(1).default('calls-local-only'),
    ARI_APP: z.string().regex(/^[a-zA-Z0-9_-]+$/).default('calls'),
    // Asterisk refuses HTTP sessions past http.conf's sessionlimit (200); stay well below it.
    ARI_MAX_SOCKETS: positiveInt.max(150).default(48),
    ARI_REQUEST_TIMEOUT_MS: positiveInt.default(5000),
    // AMI, used only to expire changed users' and carriers' SIP identities from the switch's sorcery
    // memory caches (asterisk/conf/manager.conf): by default on ARI's host, at ARI's port + 50 (as
    // scripts/render-asterisk-conf.sh renders it), with ARI's credentials.
    AMI_HOST: z.string().min(1).optional(),
    AMI_PORT: port.optional(),

    SIP_HOST: z.string().min(1).default('127.0.0.1'),
    SIP_PORT: port.default(5060),
    SIP_REALM: z.string().min(1).default('calling.local'),
    // Devices one user may register at once (AOR max_contacts).
    SIP_MAX_DEVICES_PER_USER: positiveInt.max(20).default(5),
    // The switch sits behind a SIP edge (Kamailio, kamailio/edge.cfg): devices register with a Path
    // through it (AOR support_path, no contact rewriting: the edge keeps their source address) and
    // carriers are recognised by the header the edge adds (identify match_header), not by a source
    // address the switch never sees. Only safe when the switch accepts SIP from the edge alone.
    SIP_BEHIND_EDGE: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
    // The edge as the switch reaches it (host:port), the switch's outbound proxy toward devices: its
    // node-side address where that is not SIP_HOST (a fleet of one on loopback: 127.0.2.1), so that
    // the edge records both of its sides in a dialog's route. Default SIP_HOST:SIP_PORT.
    SIP_EDGE_NODE_SIDE: z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'host:port').optional(),

    RING_TIMEOUT_SECONDS: positiveInt.max(300).default(30),
    // stasis: the controller originates, bridges and ends every leg through ARI. dialplan: it decides
    // in its application (who, which devices or carriers, the credit), then the switch's Dial() rings,
    // bridges and enforces the granted talk time (the lean call path; click-to-call stays on stasis).
    CALL_PATH: z.enum(['stasis', 'dialplan']).default('stasis'),
    // How long the call path may reuse a user it looked up (0 turns the cache off).
    USER_LOOKUP_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),

    // Billing: new accounts' currency (ISO 4217) and the talk time reserved at a time.
    BILLING_DEFAULT_CURRENCY: z.string().regex(/^[A-Z]{3}$/).default('USD'),
    BILLING_SLICE_SECONDS: positiveInt.max(3600).default(60),
    // The caller of a paid call hears a short tone this many seconds before the credit cut-off (0: never).
    BILLING_WARNING_TONE_SECONDS: z.coerce.number().int().min(0).max(600).default(10),
    // A carrier that gives no provisional response (18x) this long after the INVITE is given up on.
    CARRIER_PROGRESS_TIMEOUT_SECONDS: positiveInt.max(60).default(8),

    // The switch's own record of answers and hang-ups (CEL, asterisk/conf/cel_custom.conf): the
    // file as the controller reaches it (unset: calls that end while no controller runs are billed
    // up to its last heartbeat), and the size past which the controller rotates it.
    SWITCH_EVENTS_FILE: z.string().startsWith('/', 'an absolute path').optional(),
    SWITCH_EVENTS_MAX_BYTES: positiveInt.min(4096).default(64 * 1024 * 1024),
    // Alarms (app/alarms): rules evaluated every ALARM_INTERVAL_SECONDS, shown in the console and
    // in /metrics (alarm_open, alarms_open).
    ALARM_INTERVAL_SECONDS: positiveInt.max(3600).default(15),
    ALARM_CARRIER_ASR_MIN: z.coerce.number().min(0).max(1).default(0.3),
    ALARM_CARRIER_ASR_MIN_CALLS: positiveInt.max(100_000).default(20),
    ALARM_CARRIER_ASR_WINDOW_MINUTES: positiveInt.max(1440).default(15),
    ALARM_BALANCE_LOW_MINOR: z.coerce.number().int().min(0).default(100),
    ALARM_DESTINATION_SPIKE_CALLS: positiveInt.default(100),
    ALARM_DESTINATION_SPIKE_WINDOW_MINUTES: positiveInt.max(1440).default(5),
    ALARM_DEAD_LETTERS_MAX: z.coerce.number().int().min(0).default(0),

    // Lawful intercept (app/intercept): intercept-schema.ts.
    ...interceptVariables,
    // Call admission (app/call-policy): call-policy-schema.ts.
    ...callPolicyVariables,
    // Admin API over TLS, trusted reverse proxies, the SIP edge's RPC: exposure-schema.ts.
    ...exposureVariables,

    // Routing (app/routing): how carriers are ranked for a PSTN call. The strategy is one of
    // app/routing/strategies (blended: one score of cost and quality with the two weights).
    ROUTING_STRATEGY: z.enum(['blended', 'least-cost', 'quality']).default('blended'),
    ROUTING_COST_WEIGHT: z.coerce.number().min(0).max(100).default(0.5),
    ROUTING_QUALITY_WEIGHT: z.coerce.number().min(0).max(100).default(0.5),
    // Share of calls that may try an under-measured (new or recovering) carrier first, and at most
    // this many such calls per carrier and prefix per half-life.
    ROUTING_EXPLORATION_RATE: z.coerce.number().min(0).max(1).default(0.05),
    ROUTING_EXPLORATION_MAX_CALLS: positiveInt.max(10_000).default(20),
    // The speed layer's sliding window: an attempt weighs half as much after this long.
    ROUTING_RECENT_HALF_LIFE_MINUTES: positiveInt.max(1440).default(10),
    // The batch layer: history it recomputes from the call records, and how often.
    ROUTING_HISTORY_DAYS: positiveInt.max(365).default(30),
    ROUTING_BATCH_INTERVAL_MINUTES: positiveInt.max(10_080).default(60),
    // Currency of the carriers' rate decks; costs are compared for a call this long.
    ROUTING_CARRIER_CURRENCY: z.string().regex(/^[A-Z]{3}$/).default('USD'),
    ROUTING_REFERENCE_CALL_SECONDS: positiveInt.max(86_400).default(120),
    // Carrier flags, deck versions and other instances' figures are re-read this often.
    ROUTING_REFRESH_MS: positiveInt.min(100).max(600_000).default(2000),
  })
  .superRefine((env, ctx) => {
    if (env.ROUTING_COST_WEIGHT + env.ROUTING_QUALITY_WEIGHT <= 0) {
      ctx.addIssue({ code: 'custom', path: ['ROUTING_QUALITY_WEIGHT'], message: 'ROUTING_COST_WEIGHT and ROUTING_QUALITY_WEIGHT must not both be 0' });
    }
    for (const issue of interceptIssues(env)) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
    for (const issue of exposureIssues(env)) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
    for (const issue of callPolicyIssues(env)) ctx.addIssue({ code: 'custom', path: [issue.path], message: issue.message });
    // Both listen on ADMIN_HOST.
    if (env.WORKERS_METRICS_PORT === env.ADMIN_PORT) {
      ctx.addIssue({ code: 'custom', path: ['WORKERS_METRICS_PORT'], message: 'must differ from ADMIN_PORT (both listen on ADMIN_HOST)' });
    } else if (env.WORKERS_METRICS_PORT === undefined && env.ADMIN_PORT === 65535) {
      ctx.addIssue({ code: 'custom', path: ['WORKERS_METRICS_PORT'], message: 'must be set when ADMIN_PORT is 65535 (its default is ADMIN_PORT + 1)' });
    }
    if (env.NODE_ENV === 'production') {
      if (!env.ADMIN_TOKEN || env.ADMIN_TOKEN.length < 32) {
        ctx.addIssue({ code: 'custom', path: ['ADMIN_TOKEN'], message: 'must be set (at least 32 characters) in production' });
      }
      for (const key of ['ARI_PASSWORD', 'DATABASE_URL'] as const) {
        if (env[key].includes('local-only')) {
          ctx.addIssue({ code: 'custom', path: [key], message: 'still holds the local default; set a real secret in production' });
        }
      }
    } else if (env.ADMIN_TOKEN !== undefined && env.ADMIN_TOKEN.length < 16) {
      ctx.addIssue({ code: 'custom', path: ['ADMIN_TOKEN'], message: 'must be at least 16 characters' });
    }
  });

export type RawConfig = z.infer<typeof configSchema>;
