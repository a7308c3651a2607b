import { randomBytes } from 'node:crypto';
import { LOCAL_ONLY_INTERCEPT_KEY } from './intercept-schema';
import { type RawConfig } from './schema';

export interface InterceptConfig {
  enabled: boolean;
  // The intercept administrator's token; generated (and printed by main) when unset locally.
  adminToken: string;
  adminTokenGenerated: boolean;
  logFile: string;
  storage:
    | { kind: 'local'; directories: string[] }
    // Credentials: the AWS SDK's default chain (instance or task role, web identity, AWS_* variables).
    | { kind: 's3'; buckets: string[]; prefix: string; region: string; endpoint?: string; forcePathStyle: boolean };
  encryptionKey: Buffer;
  // Keys of before a rotation: read only.
  previousEncryptionKeys: Buffer[];
  retentionDays: number;
  verifyIntervalMs: number;
  tickMs: number;
}

const list = (value: string | undefined): string[] => (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);

export function interceptConfigOf(raw: RawConfig): InterceptConfig {
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
    // Production refuses to start without one when enabled (intercept-schema.ts).
    adminToken: raw.INTERCEPT_ADMIN_TOKEN ?? randomBytes(24).toString('base64url'),
    adminTokenGenerated: raw.INTERCEPT_ADMIN_TOKEN === undefined,
    logFile: raw.INTERCEPT_LOG_FILE ?? '.local/local/intercept.log',
    storage,
    // Production refuses to start without a key of its own (intercept-schema.ts).
    encryptionKey: Buffer.from(raw.INTERCEPT_ENCRYPTION_KEY ?? LOCAL_ONLY_INTERCEPT_KEY, 'base64'),
    previousEncryptionKeys: list(raw.INTERCEPT_PREVIOUS_ENCRYPTION_KEYS).map((key) => Buffer.from(key, 'base64')),
    retentionDays: raw.INTERCEPT_RETENTION_DAYS,
    verifyIntervalMs: raw.INTERCEPT_VERIFY_INTERVAL_MINUTES * 60_000,
    tickMs: raw.INTERCEPT_TICK_MS,
  };
}
