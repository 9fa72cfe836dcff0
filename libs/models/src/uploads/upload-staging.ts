import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { link, mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { UploadGrant } from './upload-token';

export class SizeMismatch extends Error {}

/**
 * The staging area of signed uploads: DATA_DIR/uploads/<tenantId>/<exp>.<uploadId>. The expiry
 * is in the name so the sweep needs no database; a file is written as .part and renamed when
 * complete, so a half-received upload is never taken for a whole one.
 */
export class UploadStaging {
  constructor(private readonly root: string) {}

  private fileOf(g: Pick<UploadGrant, 'tenantId' | 'id' | 'exp'>): string {
    // Ids are ours (signed), but keep them to safe characters anyway.
    if (!/^[A-Za-z0-9_-]+$/.test(g.tenantId) || !/^[A-Za-z0-9_-]+$/.test(g.id)) throw new Error('unsafe upload id');
    return join(this.root, g.tenantId, `${g.exp}.${g.id}`);
  }

  async exists(g: UploadGrant): Promise<boolean> {
    return stat(this.fileOf(g)).then(
      () => true,
      () => false,
    );
  }

  /**
   * Streams the body to disk, never holding more than a chunk: more than `size` bytes aborts at
   * once, fewer fails at the end. Two concurrent PUTs of one token: the second cannot open the
   * .part file (exclusive create). Returns the SHA-256 of what was stored.
   */
  async receive(g: UploadGrant, body: Readable): Promise<string> {
    const target = this.fileOf(g);
    const part = `${target}.part`;
    await mkdir(join(this.root, g.tenantId), { recursive: true });
    const hash = createHash('sha256');
    let seen = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        seen += chunk.length;
        if (seen > g.size) return done(new SizeMismatch(`more than the ${g.size} bytes announced`));
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(part, { flags: 'wx' }));
      if (seen !== g.size) throw new SizeMismatch(`${seen} bytes received, ${g.size} announced`);
      // link, not rename: it fails if a finished upload is already there instead of replacing it.
      await link(part, target);
      await rm(part, { force: true });
    } catch (e) {
      const clash = (e as NodeJS.ErrnoException).code === 'EEXIST';
      // EEXIST on the .part file is another PUT of this token still writing: leave its file alone.
      if (
        !clash ||
        (await stat(target).then(
          () => true,
          () => false,
        ))
      )
        await rm(part, { force: true });
      throw e;
    }
    return hash.digest('hex');
  }

  read(g: UploadGrant): Promise<Buffer> {
    return readFile(this.fileOf(g));
  }

  remove(g: UploadGrant): Promise<void> {
    return rm(this.fileOf(g), { force: true });
  }

  /** Removes every staged (or half-received) file whose URL has expired; returns how many. */
  async sweep(nowSeconds = Math.floor(Date.now() / 1000)): Promise<number> {
    let removed = 0;
    const tenants = await readdir(this.root).catch(() => [] as string[]);
    for (const tenant of tenants) {
      const dir = join(this.root, tenant);
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        const exp = Number(name.split('.')[0]);
        if (!Number.isFinite(exp) || exp >= nowSeconds) continue;
        await rm(join(dir, name), { force: true });
        removed++;
      }
    }
    return removed;
  }
}
