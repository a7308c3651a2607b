import { LocalDirectoryLocation } from './local-directory-location';
import { type EvidenceLocation } from './ports';
import { createS3Client, S3Location } from './s3-location';

// One evidence location each: a directory (its own disk or mount), or a bucket of an S3-compatible
// store with its own endpoint, region and credentials (a shared-config profile, or given).
export type EvidenceLocationSpec =
  | { kind: 'dir'; path: string }
  | {
      kind: 's3';
      bucket: string;
      prefix: string;
      region: string;
      endpoint?: string;
      forcePathStyle: boolean;
      profile?: string;
      credentials?: { accessKeyId: string; secretAccessKey: string };
    };

export type EvidenceStorageConfig = EvidenceLocationSpec[];

// Every S3 location gets a client of its own: copies in independent stores share nothing.
export function createEvidenceLocations(config: EvidenceStorageConfig): EvidenceLocation[] {
  return config.map((spec) => {
    if (spec.kind === 'dir') return new LocalDirectoryLocation(spec.path);
    const client = createS3Client({
      bucket: spec.bucket,
      region: spec.region,
      forcePathStyle: spec.forcePathStyle,
      ...(spec.endpoint ? { endpoint: spec.endpoint } : {}),
      ...(spec.profile ? { profile: spec.profile } : {}),
      ...(spec.credentials ? { credentials: spec.credentials } : {}),
    });
    return new S3Location(client, { bucket: spec.bucket, prefix: spec.prefix, ...(spec.endpoint ? { endpoint: spec.endpoint } : {}) });
  });
}
