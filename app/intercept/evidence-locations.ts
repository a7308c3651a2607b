import { LocalDirectoryLocation } from './local-directory-location';
import { type EvidenceLocation } from './ports';
import { createS3Client, S3Location } from './s3-location';

export type EvidenceStorageConfig =
  | { kind: 'local'; directories: string[] }
  | {
      kind: 's3';
      // One bucket per copy, ideally in different regions or stores.
      buckets: string[];
      prefix: string;
      region: string;
      endpoint?: string;
      forcePathStyle: boolean;
      credentials?: { accessKeyId: string; secretAccessKey: string };
    };

export function createEvidenceLocations(config: EvidenceStorageConfig): EvidenceLocation[] {
  if (config.kind === 'local') return config.directories.map((directory) => new LocalDirectoryLocation(directory));
  const client = createS3Client({
    bucket: config.buckets[0] ?? '',
    region: config.region,
    forcePathStyle: config.forcePathStyle,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
  });
  return config.buckets.map((bucket) => new S3Location(client, { bucket, prefix: config.prefix }));
}
