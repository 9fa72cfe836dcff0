import { readFile } from 'node:fs/promises';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { AuditExportSink } from './export-sink';

export interface S3SinkOptions {
  bucket: string;
  prefix: string;
  lockDays: number;
  now?: () => Date;
}

/**
 * Exports to S3 under Object Lock in COMPLIANCE mode: until retain-until nobody, the root
 * account included, can delete or overwrite the object version. The bucket must have been
 * created with Object Lock enabled (infra/ does that). A whole file is sent in one PutObject
 * with its SHA-256 checksum (S3 requires a checksum with Object Lock); one export is a bounded
 * time range, well under PutObject's 5 GB. Tenants download through presigned GETs.
 */
export class S3ExportSink implements AuditExportSink {
  readonly kind = 's3' as const;

  constructor(
    private readonly s3: S3Client,
    private readonly options: S3SinkOptions,
  ) {}

  async put(key: string, localFile: string, contentType: string, sha256Hex: string): Promise<string> {
    const Key = `${this.options.prefix}${key}`;
    const now = this.options.now?.() ?? new Date();
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.options.bucket,
        Key,
        Body: await readFile(localFile),
        ContentType: contentType,
        ChecksumSHA256: Buffer.from(sha256Hex, 'hex').toString('base64'),
        ObjectLockMode: 'COMPLIANCE',
        ObjectLockRetainUntilDate: new Date(now.getTime() + this.options.lockDays * 86_400_000),
      }),
    );
    return `s3://${this.options.bucket}/${Key}`;
  }

  presignGet(key: string, ttlSeconds: number, downloadName: string): Promise<string> {
    return getSignedUrl(
      this.s3,
      new GetObjectCommand({
        Bucket: this.options.bucket,
        Key: `${this.options.prefix}${key}`,
        ResponseContentDisposition: `attachment; filename="${downloadName}"`,
      }),
      { expiresIn: ttlSeconds },
    );
  }

  open(): Promise<null> {
    return Promise.resolve(null); // served by S3 itself, through presignGet
  }
}
