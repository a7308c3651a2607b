import { createHash } from 'node:crypto';
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { type EvidenceLocation } from './ports';

export interface S3LocationOptions {
  bucket: string;
  // Key prefix inside the bucket, e.g. "evidence/".
  prefix?: string;
  region: string;
  // S3-compatible stores (MinIO, Ceph, ...): their URL, and path-style addressing.
  endpoint?: string;
  forcePathStyle?: boolean;
  // An AWS shared-config profile (~/.aws/credentials) of this location's own credentials.
  profile?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

// What this adapter uses of the SDK client: a seam for tests with a fake.
export interface S3Sender {
  send(command: PutObjectCommand | GetObjectCommand | DeleteObjectCommand): Promise<unknown>;
}

export function createS3Client(options: S3LocationOptions): S3Client {
  const config: S3ClientConfig = {
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.forcePathStyle !== undefined ? { forcePathStyle: options.forcePathStyle } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    // Checksums only where S3 requires them: our own SHA-256 goes with every put, and S3-compatible
    // stores do not all take the SDK's default CRC32 trailer.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  };
  return new S3Client(config);
}

// An evidence location in an S3 bucket (or an S3-compatible object store). Objects are written with
// their SHA-256 so the store itself refuses a corrupted upload.
export class S3Location implements EvidenceLocation {
  readonly name: string;

  constructor(
    private readonly client: S3Sender,
    private readonly options: Pick<S3LocationOptions, 'bucket' | 'prefix' | 'endpoint'>,
  ) {
    // The endpoint is part of the name: two stores may each have a bucket of the same name.
    this.name = `s3:${options.endpoint ? `${new URL(options.endpoint).host}/` : ''}${options.bucket}/${options.prefix ?? ''}`;
  }

  private keyOf(key: string): string {
    return `${this.options.prefix ?? ''}${key}`;
  }

  async put(key: string, data: Buffer): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key: this.keyOf(key),
        Body: data,
        ContentLength: data.length,
        ContentType: 'application/octet-stream',
        ChecksumSHA256: createHash('sha256').update(data).digest('base64'),
      }),
    );
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const output = (await this.client.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: this.keyOf(key) }))) as { Body?: { transformToByteArray(): Promise<Uint8Array> } };
      if (!output.Body) return undefined;
      return Buffer.from(await output.Body.transformToByteArray());
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.keyOf(key) }));
  }
}

function isNotFound(error: unknown): boolean {
  if (error instanceof NoSuchKey) return true;
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
}
