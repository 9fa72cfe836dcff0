import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import type { BlobInfo, BlobStore } from '@app/storage';
import type { UploadGrant } from './upload-token';

export class SizeMismatch extends Error {}

/**
 * The staging area of signed uploads, in the staging blob store (a local folder, or the bucket's
 * `uploads/` prefix), at `<tenantId>/<exp>.<uploadId>`. The expiry is in the key so the sweep
 * needs no database. An object appears only once whole (the local store renames it in place,
 * S3 commits a PUT whole), so a half-received upload is never taken for a whole one.
 */
export class UploadStaging {
  constructor(readonly store: BlobStore) {}

  keyOf(g: Pick<UploadGrant, 'tenantId' | 'id' | 'exp'>): string {
    // Ids are ours (signed), but keep them to safe characters anyway.
    if (!/^[A-Za-z0-9_-]+$/.test(g.tenantId) || !/^[A-Za-z0-9_-]+$/.test(g.id)) throw new Error('unsafe upload id');
    return `${g.tenantId}/${g.exp}.${g.id}`;
  }

  head(g: UploadGrant): Promise<BlobInfo | null> {
    return this.store.head(this.keyOf(g));
  }

  async exists(g: UploadGrant): Promise<boolean> {
    return (await this.head(g)) !== null;
  }

  /**
   * Streams the body to the store, never holding more than a chunk: more than `size` bytes
   * aborts at once, fewer fails at the end. A second PUT of one token is refused (BlobExists).
   * Returns the SHA-256 of what was stored.
   */
  async receive(g: UploadGrant, body: Readable): Promise<string> {
    const key = this.keyOf(g);
    const hash = createHash('sha256');
    let seen = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        seen += chunk.length;
        if (seen > g.size) return done(new SizeMismatch(`more than the ${g.size} bytes announced`));
        hash.update(chunk);
        done(null, chunk);
      },
      flush(done) {
        done(seen === g.size ? null : new SizeMismatch(`${seen} bytes received, ${g.size} announced`));
      },
    });
    body.on('error', (e) => meter.destroy(e));
    await this.store.put(key, body.pipe(meter), { contentLength: g.size, ifAbsent: true });
    return hash.digest('hex');
  }

  read(g: UploadGrant): Promise<Buffer> {
    return this.store.get(this.keyOf(g));
  }

  remove(g: UploadGrant): Promise<void> {
    return this.store.delete(this.keyOf(g));
  }

  /** Removes every staged file whose URL has expired; returns how many. Works on both adapters. */
  async sweep(nowSeconds = Math.floor(Date.now() / 1000)): Promise<number> {
    const expired = (await this.store.list(''))
      .map((b) => b.key)
      .filter((key) => {
        const exp = Number(key.split('/').pop()!.split('.')[0]);
        return Number.isFinite(exp) && exp < nowSeconds;
      });
    if (expired.length) await this.store.delete(expired);
    return expired.length;
  }
}
