import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  assertSafeKey,
  BlobExists,
  BlobInfo,
  BlobNotFound,
  BlobStore,
  PresignedRequest,
  PresignPutOptions,
  PutOptions,
} from './blob-store';

type S3Module = typeof import('@aws-sdk/client-s3');

export interface S3BlobStoreOptions {
  bucket: string;
  /** Prepended to every key (`models/`, `uploads/`): several stores share one bucket. */
  keyPrefix?: string;
  region?: string;
  /** An S3-compatible endpoint (MinIO, R2, s3rver in tests): path-style addressing. */
  endpoint?: string;
  /** Only for S3-compatible servers in tests; in AWS the default provider chain (the task or function role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

const isNotFound = (e: unknown) => {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err?.name === 'NoSuchKey' || err?.name === 'NotFound' || err?.$metadata?.httpStatusCode === 404;
};

/**
 * The blob store in an S3 bucket. The AWS SDK is required on first use, not at import: it is a
 * large module graph that the local store (and a Lambda's cold start) never needs. Presigned
 * PUTs bind Content-Length (and, when given, x-amz-checksum-sha256, which S3 verifies), so the
 * holder of the URL can store exactly the announced file and nothing else.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  private readonly prefix: string;
  private s3?: { sdk: S3Module; client: S3Client };

  constructor(private readonly options: S3BlobStoreOptions) {
    const p = options.keyPrefix ?? '';
    this.prefix = p && !p.endsWith('/') ? `${p}/` : p;
  }

  get bucket(): string {
    return this.options.bucket;
  }

  private aws(): { sdk: S3Module; client: S3Client } {
    if (!this.s3) {
      const sdk = require('@aws-sdk/client-s3') as S3Module;
      const client = new sdk.S3Client({
        region: this.options.region ?? process.env.AWS_REGION ?? 'us-east-1',
        endpoint: this.options.endpoint,
        forcePathStyle: Boolean(this.options.endpoint),
        credentials: this.options.credentials,
        // No CRC32 of our own on every request: a presigned URL would then demand one the browser can't send.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      this.s3 = { sdk, client };
    }
    return this.s3;
  }

  private full(key: string): string {
    return `${this.prefix}${assertSafeKey(key)}`;
  }

  async put(key: string, body: Buffer | Readable, options: PutOptions = {}): Promise<void> {
    // Best effort against a second writer: S3's conditional write (If-None-Match) refuses the race's loser too.
    if (options.ifAbsent && (await this.head(key))) throw new BlobExists(key);
    const { sdk, client } = this.aws();
    // A stream of unknown length is read whole first: PutObject needs the length up front.
    let data: Buffer | Readable = body;
    let length = Buffer.isBuffer(body) ? body.length : options.contentLength;
    if (!Buffer.isBuffer(body) && length === undefined) {
      const chunks: Buffer[] = [];
      for await (const c of body) chunks.push(c as Buffer);
      data = Buffer.concat(chunks);
      length = data.length;
    }
    await client
      .send(
        new sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key: this.full(key),
          Body: data,
          ContentLength: length,
          ContentType: options.contentType,
          IfNoneMatch: options.ifAbsent ? '*' : undefined,
        }),
      )
      .catch((e: { $metadata?: { httpStatusCode?: number } }) => {
        if (options.ifAbsent && e?.$metadata?.httpStatusCode === 412) throw new BlobExists(key);
        throw e;
      });
  }

  async get(key: string): Promise<Buffer> {
    const s = await this.stream(key);
    const chunks: Buffer[] = [];
    for await (const c of s) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }

  async stream(key: string): Promise<Readable> {
    const { sdk, client } = this.aws();
    try {
      const o = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.full(key) }));
      return o.Body as Readable;
    } catch (e) {
      if (isNotFound(e)) throw new BlobNotFound(key);
      throw e;
    }
  }

  async head(key: string): Promise<BlobInfo | null> {
    const { sdk, client } = this.aws();
    try {
      const o = await client.send(new sdk.HeadObjectCommand({ Bucket: this.bucket, Key: this.full(key) }));
      return { key, size: Number(o.ContentLength ?? 0), lastModified: o.LastModified };
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  async delete(keys: string | string[]): Promise<void> {
    const { sdk, client } = this.aws();
    const all = (Array.isArray(keys) ? keys : [keys]).map((k) => ({ Key: this.full(k) }));
    for (let i = 0; i < all.length; i += 1000) {
      const res = await client.send(
        new sdk.DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: all.slice(i, i + 1000), Quiet: true } }),
      );
      if (res.Errors?.length) throw new Error(`could not delete ${res.Errors.map((x) => x.Key).join(', ')}`);
    }
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    const { sdk, client } = this.aws();
    const out: BlobInfo[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new sdk.ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: `${this.prefix}${prefix}`,
          ContinuationToken: token,
        }),
      );
      for (const o of page.Contents ?? [])
        if (o.Key)
          out.push({ key: o.Key.slice(this.prefix.length), size: Number(o.Size ?? 0), lastModified: o.LastModified });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  async presignPut(key: string, o: PresignPutOptions): Promise<PresignedRequest> {
    const { sdk, client } = this.aws();
    const { getSignedUrl } = require('@aws-sdk/s3-request-presigner') as typeof import('@aws-sdk/s3-request-presigner');
    const contentType = o.contentType ?? 'application/octet-stream';
    const checksum = o.sha256 ? Buffer.from(o.sha256, 'hex').toString('base64') : undefined;
    const url = await getSignedUrl(
      client,
      new sdk.PutObjectCommand({
        Bucket: this.bucket,
        Key: this.full(key),
        ContentLength: o.contentLength,
        ContentType: contentType,
        ChecksumSHA256: checksum,
      }),
      {
        expiresIn: o.expiresInSeconds,
        // Signed as headers, so the request must carry exactly these values.
        signableHeaders: new Set(['content-length', 'content-type']),
        unhoistableHeaders: new Set(checksum ? ['x-amz-checksum-sha256'] : []),
      },
    );
    const headers: Record<string, string> = { 'content-type': contentType, 'content-length': String(o.contentLength) };
    if (checksum) headers['x-amz-checksum-sha256'] = checksum;
    return { url, method: 'PUT', headers, expiresAt: new Date(Date.now() + o.expiresInSeconds * 1000) };
  }

  async presignGet(key: string, o: { expiresInSeconds: number }): Promise<PresignedRequest> {
    const { sdk, client } = this.aws();
    const { getSignedUrl } = require('@aws-sdk/s3-request-presigner') as typeof import('@aws-sdk/s3-request-presigner');
    const url = await getSignedUrl(client, new sdk.GetObjectCommand({ Bucket: this.bucket, Key: this.full(key) }), {
      expiresIn: o.expiresInSeconds,
    });
    return { url, method: 'GET', headers: {}, expiresAt: new Date(Date.now() + o.expiresInSeconds * 1000) };
  }

  uri(key: string): string {
    return `s3://${this.bucket}/${this.full(key)}`;
  }

  keyOf(uri: string): string | null {
    const base = `s3://${this.bucket}/${this.prefix}`;
    return uri.startsWith(base) ? uri.slice(base.length) : null;
  }

  /** Closes the SDK client's sockets (tests, shutdown). */
  destroy(): void {
    this.s3?.client.destroy();
  }
}
