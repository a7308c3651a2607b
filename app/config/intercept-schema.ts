import { z } from 'zod';

const positiveInt = z.coerce.number().int().positive();
const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

// The evidence key used when none is configured, outside production only.
export const LOCAL_ONLY_INTERCEPT_KEY = Buffer.from('calling-platform/local-only/evid').toString('base64');

// Lawful intercept (app/intercept): its variables, part of configSchema. Unset: on, except in
// production, where it needs INTERCEPT_ENABLED=true and secrets of its own.
export const interceptVariables = {
  INTERCEPT_ENABLED: flag.optional(),
  // Bearer token of the intercept administrator: agencies and warrants (/v1/agencies, /v1/warrants).
  // Never the ADMIN_TOKEN, which gets 404 on every intercept route.
  INTERCEPT_ADMIN_TOKEN: z.string().optional(),
  // The intercept module's own log: warrant ids, targets and recordings never go to the application log.
  INTERCEPT_LOG_FILE: z.string().min(1).optional(),
  // Evidence storage: local directories, or S3-compatible buckets; one copy per location.
  INTERCEPT_STORAGE: z.enum(['local', 's3']).default('local'),
  INTERCEPT_COPIES: positiveInt.max(10).default(3),
  // Comma-separated directories, one per copy (default .local/local/evidence/1..N).
  INTERCEPT_EVIDENCE_DIRS: z.string().optional(),
  // Comma-separated buckets, one per copy.
  INTERCEPT_S3_BUCKETS: z.string().optional(),
  INTERCEPT_S3_PREFIX: z.string().default('evidence/'),
  INTERCEPT_S3_REGION: z.string().min(1).default('us-east-1'),
  INTERCEPT_S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  INTERCEPT_S3_FORCE_PATH_STYLE: flag.default(false),
  // AES-256-GCM key of evidence at rest: 32 bytes, base64. Locally a fixed local-only key is used.
  INTERCEPT_ENCRYPTION_KEY: z
    .string()
    .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes, base64-encoded (openssl rand -base64 32)')
    .optional(),
  // After a key rotation: the keys of before, comma-separated, base64. They only open old evidence
  // and verify old chain records; the verification job re-wraps old recordings under the current key.
  INTERCEPT_PREVIOUS_ENCRYPTION_KEYS: z
    .string()
    .refine((value) => value.split(',').every((key) => Buffer.from(key.trim(), 'base64').length === 32), 'each must be 32 bytes, base64-encoded')
    .optional(),
  INTERCEPT_RETENTION_DAYS: positiveInt.default(3650),
  // Every copy and chain is re-checked this often: at most a week (a timer cannot wait ~25 days).
  INTERCEPT_VERIFY_INTERVAL_MINUTES: positiveInt.max(10_080).default(1440),
  // Validity windows opening/closing, content retries and collection of recordings run this often.
  INTERCEPT_TICK_MS: positiveInt.min(100).max(60_000).default(2000),
};

const _interceptObject = z.object(interceptVariables);
type InterceptEnv = z.infer<typeof _interceptObject>;
type Issue = { path: string; message: string };

// Rules across variables; `production` and the admin token come from the rest of the schema.
export function interceptIssues(env: InterceptEnv & { NODE_ENV: string; ADMIN_TOKEN?: string | undefined }): Issue[] {
  const issues: Issue[] = [];
  const listed = (value: string | undefined): number => (value ? value.split(',').filter((item) => item.trim()).length : 0);
  if (env.INTERCEPT_STORAGE === 's3' && listed(env.INTERCEPT_S3_BUCKETS) !== env.INTERCEPT_COPIES) {
    issues.push({ path: 'INTERCEPT_S3_BUCKETS', message: `must list INTERCEPT_COPIES (${env.INTERCEPT_COPIES}) buckets` });
  }
  if (env.INTERCEPT_STORAGE === 'local' && env.INTERCEPT_EVIDENCE_DIRS && listed(env.INTERCEPT_EVIDENCE_DIRS) !== env.INTERCEPT_COPIES) {
    issues.push({ path: 'INTERCEPT_EVIDENCE_DIRS', message: `must list INTERCEPT_COPIES (${env.INTERCEPT_COPIES}) directories` });
  }
  const previous = (env.INTERCEPT_PREVIOUS_ENCRYPTION_KEYS ?? '').split(',').map((key) => key.trim()).filter(Boolean);
  if (env.INTERCEPT_ENCRYPTION_KEY && previous.includes(env.INTERCEPT_ENCRYPTION_KEY)) {
    issues.push({ path: 'INTERCEPT_PREVIOUS_ENCRYPTION_KEYS', message: 'must not hold the current INTERCEPT_ENCRYPTION_KEY' });
  }
  const token = env.INTERCEPT_ADMIN_TOKEN;
  if (token !== undefined && token === env.ADMIN_TOKEN) {
    issues.push({ path: 'INTERCEPT_ADMIN_TOKEN', message: 'must differ from ADMIN_TOKEN: the admin API token must not manage warrants' });
  }
  const production = env.NODE_ENV === 'production';
  if (production && env.INTERCEPT_ENABLED === true) {
    if (!env.INTERCEPT_ENCRYPTION_KEY || env.INTERCEPT_ENCRYPTION_KEY === LOCAL_ONLY_INTERCEPT_KEY) {
      issues.push({ path: 'INTERCEPT_ENCRYPTION_KEY', message: 'must be set to a key of its own in production when INTERCEPT_ENABLED is true' });
    }
    if (!token) issues.push({ path: 'INTERCEPT_ADMIN_TOKEN', message: 'must be set (at least 32 characters) in production when INTERCEPT_ENABLED is true' });
    if (!env.INTERCEPT_LOG_FILE) issues.push({ path: 'INTERCEPT_LOG_FILE', message: 'must be set in production when INTERCEPT_ENABLED is true' });
  }
  const minimum = production ? 32 : 16;
  if (token !== undefined && token.length < minimum) issues.push({ path: 'INTERCEPT_ADMIN_TOKEN', message: `must be at least ${minimum} characters` });
  return issues;
}
