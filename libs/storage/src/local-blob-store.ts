import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  assertSafeKey,
  BlobInfo,
  BlobExists,
  BlobNotFound,
  BlobStore,
  PutOptions,
  PresignedRequest,
  PresignPutOptions,
} from './blob-store';
import { SignedTokens } from './signed-token';

/** What a local presigned URL allows (the payload of its token). */
export interface LocalPresignGrant {
  /** Root the grant is for (two local stores never accept each other's URLs). */
  r: string;
  k: string;
  m: 'PUT' | 'GET';
  /** Exact size (PUT). */
  n?: number;
  /** SHA-256 hex the body must have (PUT, optional). */
  h?: string;
  /** Expiry, seconds since the epoch. */
  e: number;
}

export class PresignedBodyRejected extends Error {}

export interface LocalBlobStoreOptions {
  /** Base of presigned URLs (`<publicUrl>/storage`): the api serves them (see models' StorageController). */
  presignBaseUrl?: string;
  /** HMAC secret of presigned URLs (UPLOAD_SIGNING_SECRET); random per process without one. */
  signingSecret?: string;
}

const notFound = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * The blob store in a folder (embedded mode, one machine). An object is written to a private
 * `.part-*` file and renamed in place once whole, so no reader ever sees half of one. Presigned
 * URLs are signed api URLs (`/storage/<token>`), verified with the configured HMAC secret.
 */
export class LocalBlobStore implements BlobStore {
  readonly kind = 'local' as const;
  readonly root: string;
  private readonly tokens: SignedTokens<LocalPresignGrant>;

  constructor(
    root: string,
    private readonly options: LocalBlobStoreOptions = {},
  ) {
    this.root = resolve(root);
    this.tokens = new SignedTokens('storage.v1', options.signingSecret);
  }

  /** The file of a key; only ever inside the root. */
  pathOf(key: string): string {
    return join(this.root, assertSafeKey(key));
  }

  async put(key: string, body: Buffer | Readable, options: PutOptions = {}): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    const part = `${target}.part-${randomBytes(6).toString('hex')}`;
    try {
      await pipeline(Buffer.isBuffer(body) ? Readable.from([body]) : body, createWriteStream(part, { flags: 'wx' }));
      if (options.ifAbsent) {
        // link, not rename: it fails if the object is already there instead of replacing it.
        await link(part, target).catch((e: NodeJS.ErrnoException) => {
          throw e.code === 'EEXIST' ? new BlobExists(key) : e;
        });
        await rm(part, { force: true });
      } else await rename(part, target);
    } catch (e) {
      await rm(part, { force: true });
      throw e;
    }
  }

  async get(key: string): Promise<Buffer> {
    return readFile(this.pathOf(key)).catch((e) => {
      throw notFound(e) ? new BlobNotFound(key) : e;
    });
  }

  async stream(key: string): Promise<Readable> {
    const file = this.pathOf(key);
    if (!(await this.head(key))) throw new BlobNotFound(key);
    return createReadStream(file);
  }

  async head(key: string): Promise<BlobInfo | null> {
    try {
      const s = await stat(this.pathOf(key));
      return s.isFile() ? { key, size: s.size, lastModified: s.mtime } : null;
    } catch (e) {
      if (notFound(e)) return null;
      throw e;
    }
  }

  async delete(keys: string | string[]): Promise<void> {
    for (const key of Array.isArray(keys) ? keys : [keys]) {
      await rm(this.pathOf(key), { force: true });
      // Folders left empty go too (a key prefix is no folder of its own in S3 either).
      for (let dir = dirname(this.pathOf(key)); dir.startsWith(this.root + sep); dir = dirname(dir))
        if (
          !(await rmdir(dir).then(
            () => true,
            () => false,
          ))
        )
          break;
    }
  }

  async list(prefix: string): Promise<BlobInfo[]> {
    // The folder the prefix ends in (or is), then a filter on the full key.
    const dir = prefix.endsWith('/') || prefix === '' ? prefix : dirname(prefix) === '.' ? '' : dirname(prefix);
    const out: BlobInfo[] = [];
    const walk = async (rel: string): Promise<void> => {
      const entries = await readdir(join(this.root, rel), { withFileTypes: true }).catch((e) => {
        if (notFound(e)) return [];
        throw e;
      });
      for (const entry of entries) {
        const key = rel ? `${rel.replace(/\/+$/, '')}/${entry.name}` : entry.name;
        if (entry.isDirectory()) await walk(key);
        else if (entry.isFile() && !entry.name.includes('.part-') && key.startsWith(prefix)) {
          const s = await stat(join(this.root, key)).catch(() => null);
          if (s) out.push({ key, size: s.size, lastModified: s.mtime });
        }
      }
    };
    await walk(dir);
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  async presignPut(key: string, o: PresignPutOptions): Promise<PresignedRequest> {
    const e = Math.floor(Date.now() / 1000) + o.expiresInSeconds;
    const token = this.tokens.sign({
      r: this.root,
      k: assertSafeKey(key),
      m: 'PUT',
      n: o.contentLength,
      h: o.sha256,
      e,
    });
    return {
      url: `${this.presignBase()}/${token}`,
      method: 'PUT',
      headers: { 'content-type': o.contentType ?? 'application/octet-stream' },
      expiresAt: new Date(e * 1000),
    };
  }

  async presignGet(key: string, o: { expiresInSeconds: number }): Promise<PresignedRequest> {
    const e = Math.floor(Date.now() / 1000) + o.expiresInSeconds;
    const token = this.tokens.sign({ r: this.root, k: assertSafeKey(key), m: 'GET', e });
    return { url: `${this.presignBase()}/${token}`, method: 'GET', headers: {}, expiresAt: new Date(e * 1000) };
  }

  /** The grant of a presigned URL's token for `method`, or null when it is not ours, not for that method, or expired. */
  verifyPresigned(token: string, method: 'PUT' | 'GET'): LocalPresignGrant | null {
    const g = this.tokens.verify(token);
    if (!g || g.r !== this.root || g.m !== method || typeof g.k !== 'string' || !Number.isSafeInteger(g.e)) return null;
    return g.e * 1000 > Date.now() ? g : null;
  }

  /** Serves a presigned PUT: exactly the signed size (and SHA-256, if signed), written once. */
  async receivePresigned(grant: LocalPresignGrant, body: Readable): Promise<{ sizeBytes: number; sha256: string }> {
    const hash = createHash('sha256');
    let seen = 0;
    const limit = grant.n ?? Number.MAX_SAFE_INTEGER;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        seen += chunk.length;
        if (seen > limit) return done(new PresignedBodyRejected(`more than the ${limit} bytes signed`));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const target = this.pathOf(grant.k);
    await mkdir(dirname(target), { recursive: true });
    const part = `${target}.part-${randomBytes(6).toString('hex')}`;
    try {
      await pipeline(body, meter, createWriteStream(part, { flags: 'wx' }));
      if (grant.n !== undefined && seen !== grant.n)
        throw new PresignedBodyRejected(`${seen} bytes received, ${grant.n} signed`);
      const sha256 = hash.digest('hex');
      if (grant.h && grant.h !== sha256) throw new PresignedBodyRejected('the body does not have the signed SHA-256');
      await rename(part, target);
      return { sizeBytes: seen, sha256 };
    } finally {
      await rm(part, { force: true });
    }
  }

  uri(key: string): string {
    return pathToFileURL(this.pathOf(key)).href;
  }

  keyOf(uri: string): string | null {
    if (!uri.startsWith('file://')) return null;
    const file = fileURLToPath(uri);
    if (!file.startsWith(this.root + sep)) return null;
    return relative(this.root, file).split(sep).join('/');
  }

  private presignBase(): string {
    if (!this.options.presignBaseUrl) throw new Error('this local store has no presign base URL');
    return this.options.presignBaseUrl.replace(/\/+$/, '');
  }
}
