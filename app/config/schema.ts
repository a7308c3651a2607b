import { z } from 'zod';

const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();

// Every environment variable the application reads. Defaults are the local ones
// (scripts/profiles/local.env); .env.example documents them.
export const configSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
    INSTANCE_ID: z.string().min(1).default('controller-1'),

    ADMIN_HOST: z.string().min(1).default('127.0.0.1'),
    ADMIN_PORT: port.default(8080),
    ADMIN_TOKEN: z.string().optional(),

    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgresql://calling:calling-local-only@127.0.0.1:55432/calling'),
    DATABASE_POOL_SIZE: positiveInt.default(10),
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:56379'),
    NATS_URL: z.string().min(1).default('nats://127.0.0.1:54222'),

    ARI_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:8088'),
    ARI_USER: z.string().min(1).default('calls'),
    ARI_PASSWORD: z.string().min(1).default('calls-local-only'),
    ARI_APP: z.string().regex(/^[a-zA-Z0-9_-]+$/).default('calls'),
    // Asterisk refuses HTTP sessions past http.conf's sessionlimit (200); stay well below it.
    ARI_MAX_SOCKETS: positiveInt.max(150).default(48),
    ARI_REQUEST_TIMEOUT_MS: positiveInt.default(5000),

    SIP_HOST: z.string().min(1).default('127.0.0.1'),
    SIP_PORT: port.default(5060),
    SIP_REALM: z.string().min(1).default('calling.local'),
    // Devices one user may register at once (AOR max_contacts).
    SIP_MAX_DEVICES_PER_USER: positiveInt.max(20).default(5),

    RING_TIMEOUT_SECONDS: positiveInt.max(300).default(30),
    // How long the call path may reuse a user it looked up (0 turns the cache off).
    USER_LOOKUP_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  })
  .superRefine((env, ctx) => {
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
