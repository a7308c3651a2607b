import { z } from 'zod';

import { dirLocations, parseEvidenceLocations } from './intercept-locations';

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
  // Evidence storage: one copy per location, each its own store (intercept-locations.ts).
  INTERCEPT_COPIES: positiveInt.max(10).default(3),
  // Comma-separated location URLs: file:///path, or s3://bucket/prefix?region=&endpoint=&path_style=&profile=
  // (each bucket its own endpoint, region and credentials profile). Production: required when enabled.
  INTERCEPT_EVIDENCE_LOCATIONS: z.string().optional(),
  // Local shorthand: comma-separated directories, one per copy (default .local/local/evidence/1..N).
  INTERCEPT_EVIDENCE_DIRS: z.string().optional(),
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
  issues.push(...locationIssues(env));
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
    if (!env.INTERCEPT_EVIDENCE_LOCATIONS && !env.INTERCEPT_EVIDENCE_DIRS) {
      issues.push({ path: 'INTERCEPT_EVIDENCE_LOCATIONS', message: 'must name each evidence location (its own disk, bucket or store) in production when INTERCEPT_ENABLED is true' });
    }
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

function locationIssues(env: InterceptEnv): Issue[] {
  const { INTERCEPT_EVIDENCE_LOCATIONS: urls, INTERCEPT_EVIDENCE_DIRS: dirs, INTERCEPT_COPIES: copies } = env;
  if (urls && dirs) return [{ path: 'INTERCEPT_EVIDENCE_DIRS', message: 'set INTERCEPT_EVIDENCE_LOCATIONS or INTERCEPT_EVIDENCE_DIRS, not both' }];
  const path = urls ? 'INTERCEPT_EVIDENCE_LOCATIONS' : 'INTERCEPT_EVIDENCE_DIRS';
  if (!urls && !dirs) return [];
  const { locations, problems } = urls ? parseEvidenceLocations(urls) : dirLocations(dirs ?? '');
  const issues = problems.map((message) => ({ path, message }));
  if (locations.length !== copies) issues.push({ path, message: `must list INTERCEPT_COPIES (${copies}) locations, one per copy` });
  return issues;
}

// Variables of an earlier release that one S3 client for every bucket read: refused by name, so
// that a deployment setting them does not silently run with other locations.
const RETIRED = ['INTERCEPT_STORAGE', 'INTERCEPT_S3_BUCKETS', 'INTERCEPT_S3_PREFIX', 'INTERCEPT_S3_REGION', 'INTERCEPT_S3_ENDPOINT', 'INTERCEPT_S3_FORCE_PATH_STYLE'];

export function retiredInterceptIssues(env: Record<string, string | undefined>): Issue[] {
  return RETIRED.filter((name) => env[name] !== undefined).map((name) => ({
    path: name,
    message: 'is no longer read: name each location, with its own endpoint, region and profile, in INTERCEPT_EVIDENCE_LOCATIONS',
  }));
}
