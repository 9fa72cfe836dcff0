import type { Readable } from 'node:stream';

/** What is known of a stored object without reading it. */
export interface BlobInfo {
  key: string;
  size: number;
  lastModified?: Date;
}

/** A URL a client (browser, device, curl) uses without our credentials, and the headers it must send. */
export interface PresignedRequest {
  url: string;
  method: 'PUT' | 'GET';
  /** Headers the request must carry exactly as given (they are part of the signature). */
  headers: Record<string, string>;
  expiresAt: Date;
}

export interface PutOptions {
  contentType?: string;
  /** The length of a stream body, when known (S3 needs it up front; otherwise the stream is read whole first). */
  contentLength?: number;
  /** Refuse (BlobExists) instead of replacing an object already there. */
  ifAbsent?: boolean;
}

export interface PresignPutOptions {
  /** The exact size the object must have: bound into the signature (Content-Length). */
  contentLength: number;
  /** Optional SHA-256 (hex) the body must have: S3 checks it (x-amz-checksum-sha256), the local route too. */
  sha256?: string;
  contentType?: string;
  expiresInSeconds: number;
}

/**
 * The one storage port of the platform: model artifacts, staged uploads and datasets are objects
 * under keys (`<prefix>/...`, `/`-separated, no `..`), kept in a local folder or in an
 * S3-compatible bucket. No path of one process's disk ever leaves the process: a key (or the
 * `uri` of one) does.
 */
export interface BlobStore {
  readonly kind: 'local' | 's3';
  /** Writes one object whole (a stream is read to its end; the object appears only once complete). */
  put(key: string, body: Buffer | Readable, options?: PutOptions): Promise<void>;
  /** The object's bytes; BlobNotFound when there is none. */
  get(key: string): Promise<Buffer>;
  /** The object as a stream; BlobNotFound when there is none. */
  stream(key: string): Promise<Readable>;
  /** Its size and time, or null when there is no such object. */
  head(key: string): Promise<BlobInfo | null>;
  /** Deletes objects; a missing one is not an error. */
  delete(keys: string | string[]): Promise<void>;
  /** Every object whose key starts with `prefix`. */
  list(prefix: string): Promise<BlobInfo[]>;
  /** A URL that lets its holder PUT exactly `contentLength` bytes (and, if given, exactly that SHA-256) at `key`. */
  presignPut(key: string, options: PresignPutOptions): Promise<PresignedRequest>;
  /** A URL that lets its holder GET `key` until it expires. */
  presignGet(key: string, options: { expiresInSeconds: number }): Promise<PresignedRequest>;
  /** The stable name of `key` in this store (`file:///...` or `s3://bucket/key`), kept on rows. */
  uri(key: string): string;
  /** The key a `uri()` of this store names; null for a URI of another store. */
  keyOf(uri: string): string | null;
}

export class BlobExists extends Error {
  constructor(readonly key: string) {
    super(`an object is already stored at ${key}`);
    this.name = 'BlobExists';
  }
}

export class BlobNotFound extends Error {
  constructor(readonly key: string) {
    super(`no stored object at ${key}`);
    this.name = 'BlobNotFound';
  }
}

/** Keys are `/`-separated, relative, of safe characters, with no empty, `.` or `..` segment. */
export function isSafeKey(key: string): boolean {
  if (!key || key.length > 1024 || key.startsWith('/') || key.includes('\\')) return false;
  if (!/^[A-Za-z0-9._\-/=]+$/.test(key)) return false;
  return key.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

export function assertSafeKey(key: string): string {
  if (!isSafeKey(key)) throw new Error(`unsafe storage key ${JSON.stringify(key)}`);
  return key;
}

/** `a/` + `b` = `a/b`; an empty prefix adds nothing. */
export function joinKey(...parts: string[]): string {
  return parts
    .filter((p) => p !== '')
    .map((p, i) => (i === 0 ? p.replace(/\/+$/, '') : p.replace(/^\/+|\/+$/g, '')))
    .join('/');
}
