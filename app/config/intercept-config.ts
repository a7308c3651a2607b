import { randomBytes } from 'node:crypto';
import { dirLocations, parseEvidenceLocations, type EvidenceLocationConfig } from './intercept-locations';
import { LOCAL_ONLY_INTERCEPT_KEY } from './intercept-schema';
import { type RawConfig } from './schema';

export interface InterceptConfig {
  enabled: boolean;
  // The intercept administrator's token; generated (and printed by main) when unset locally.
  adminToken: string;
  adminTokenGenerated: boolean;
  logFile: string;
  // One per copy. S3 credentials: the location's profile, else the AWS SDK's default chain.
  storage: EvidenceLocationConfig[];
  encryptionKey: Buffer;
  // Keys of before a rotation: read only.
  previousEncryptionKeys: Buffer[];
  retentionDays: number;
  verifyIntervalMs: number;
  tickMs: number;
}

const list = (value: string | undefined): string[] => (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);

export function interceptConfigOf(raw: RawConfig): InterceptConfig {
  // Validated by the schema (intercept-schema.ts); locally, without either, one directory per copy.
  const storage = raw.INTERCEPT_EVIDENCE_LOCATIONS
    ? parseEvidenceLocations(raw.INTERCEPT_EVIDENCE_LOCATIONS).locations
    : dirLocations(raw.INTERCEPT_EVIDENCE_DIRS ?? Array.from({ length: raw.INTERCEPT_COPIES }, (_, i) => `.local/local/evidence/${i + 1}`).join(',')).locations;
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
