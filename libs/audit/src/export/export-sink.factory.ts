import type { AuditConfig } from '../audit.config';
import type { AuditExportSink } from './export-sink';
import { FileExportSink } from './file-export.sink';

/** S3 (Object Lock) when AUDIT_EXPORT_S3_BUCKET is set, otherwise a folder. */
export function exportSinkFor(config: AuditConfig): AuditExportSink {
  if (!config.AUDIT_EXPORT_S3_BUCKET) return new FileExportSink(config.exportDir);
  // Required here, not at the top: the AWS SDK is a large module graph that only S3 exports need.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { S3Client } = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
  const { S3ExportSink } = require('./s3-export.sink') as typeof import('./s3-export.sink');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const s3 = new S3Client({
    region: config.AUDIT_EXPORT_S3_REGION ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(config.AUDIT_EXPORT_S3_ENDPOINT ? { endpoint: config.AUDIT_EXPORT_S3_ENDPOINT, forcePathStyle: true } : {}),
  });
  return new S3ExportSink(s3, {
    bucket: config.AUDIT_EXPORT_S3_BUCKET,
    prefix: config.AUDIT_EXPORT_S3_PREFIX,
    lockDays: config.AUDIT_OBJECT_LOCK_DAYS,
  });
}
