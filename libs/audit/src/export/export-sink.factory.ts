import { S3Client } from '@aws-sdk/client-s3';
import type { AuditConfig } from '../audit.config';
import type { AuditExportSink } from './export-sink';
import { FileExportSink } from './file-export.sink';
import { S3ExportSink } from './s3-export.sink';

/** S3 (Object Lock) when AUDIT_EXPORT_S3_BUCKET is set, otherwise a folder. */
export function exportSinkFor(config: AuditConfig): AuditExportSink {
  if (!config.AUDIT_EXPORT_S3_BUCKET) return new FileExportSink(config.exportDir);
  const s3 = new S3Client({
    region: config.AUDIT_EXPORT_S3_REGION ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(config.AUDIT_EXPORT_S3_ENDPOINT ? { endpoint: config.AUDIT_EXPORT_S3_ENDPOINT, forcePathStyle: true } : {}),
  });
  return new S3ExportSink(s3, { bucket: config.AUDIT_EXPORT_S3_BUCKET, prefix: config.AUDIT_EXPORT_S3_PREFIX, lockDays: config.AUDIT_OBJECT_LOCK_DAYS });
}
