import type { Readable } from 'node:stream';

/**
 * Where exports go. Every answer about a stored file names it as the tenant sees it: an
 * `s3://bucket/key`, or (local folder) a `local:<key>` served only through signed api links;
 * never a path of the server's disk.
 */
export interface AuditExportSink {
  readonly kind: 'file' | 's3';
  /** Stores one finished local file under `key`; returns its location (`s3://...` or `local:<key>`). */
  put(key: string, localFile: string, contentType: string, sha256Hex: string): Promise<string>;
  /** A presigned GET of `key` valid `ttlSeconds` (S3), or null where the api serves the file itself. */
  presignGet(key: string, ttlSeconds: number, downloadName: string): Promise<string | null>;
  /** The stored bytes of `key` (the local sink), or null when it is not there. */
  open(key: string): Promise<Readable | null>;
}

export const AUDIT_EXPORT_SINK = Symbol('AUDIT_EXPORT_SINK');
