import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ArtifactFile, ArtifactStore, isSafeArtifactPath } from './artifact-store';

/** `<prefix><namespace>/<versionId>/<path>`: one folder per immutable version. */
export function s3ArtifactKey(prefix: string, namespace: string, versionId: string, path = ''): string {
  const base = prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix;
  return `${base}${namespace}/${versionId}/${path}`;
}

/** Splits `s3://bucket/key/prefix/` into its bucket and key prefix. */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw new Error(`not an s3 artifact uri: ${uri}`);
  return { bucket: m[1], prefix: m[2].endsWith('/') ? m[2] : `${m[2]}/` };
}

/**
 * Artifacts in an S3-compatible bucket (ARTIFACT_STORE=s3). The runtime loads from disk, so
 * `localDir` downloads a version once into the local cache folder; versions are immutable, so a
 * complete local copy never goes stale. Tested against s3rver (s3-artifact-store.s3rver.spec.ts).
 */
export class S3ArtifactStore implements ArtifactStore {
  readonly kind = 's3' as const;

  constructor(
    private readonly client: S3Client,
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly cacheDir: string,
  ) {}

  async put(namespace: string, versionId: string, files: ArtifactFile[]): Promise<string> {
    for (const file of files) {
      if (!isSafeArtifactPath(file.path)) throw new Error(`unsafe artifact path ${file.path}`);
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: s3ArtifactKey(this.prefix, namespace, versionId, file.path),
          Body: file.bytes,
        }),
      );
    }
    return `s3://${this.bucket}/${s3ArtifactKey(this.prefix, namespace, versionId)}`;
  }

  async localDir(uri: string): Promise<string> {
    if (uri.startsWith('file://')) return new URL(uri).pathname;
    const { bucket, prefix } = parseS3Uri(uri);
    const dir = resolve(this.cacheDir, prefix);
    if (existsSync(join(dir, '.complete'))) return dir;
    // Download into a temporary folder and rename: a crash never leaves a half copy marked complete.
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    for (const key of await this.keys(bucket, prefix)) {
      const rel = key.slice(prefix.length);
      if (!isSafeArtifactPath(rel)) continue;
      const object = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const target = join(tmp, rel);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, Buffer.from(await object.Body!.transformToByteArray()));
    }
    await writeFile(join(tmp, '.complete'), '');
    await mkdir(dirname(dir), { recursive: true });
    await rename(tmp, dir).catch(async () => rm(tmp, { recursive: true, force: true }));
    return dir;
  }

  async remove(uri: string): Promise<void> {
    if (!uri.startsWith('s3://')) return;
    const { bucket, prefix } = parseS3Uri(uri);
    const keys = await this.keys(bucket, prefix);
    if (keys.length)
      await this.client.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }),
      );
    await rm(resolve(this.cacheDir, prefix), { recursive: true, force: true });
  }

  private async keys(bucket: string, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      keys.push(...(page.Contents ?? []).map((o) => o.Key!).filter(Boolean));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }
}
