import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { copyFile, link, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { digestsOf, InferenceError, InferenceErrorCode } from '@app/inference';
import { BlobNotFound, BlobStore, isSafeKey } from '@app/storage';
import { ArtifactFile, ArtifactManifest, ArtifactStore, isSafeArtifactPath } from './artifact-store';

const SHA256 = /^[0-9a-f]{64}$/;

export const blobKey = (namespace: string, sha256: string) => `${namespace}/sha256/${sha256}`;
export const manifestKey = (namespace: string, versionId: string) => `${namespace}/versions/${versionId}.json`;

/** The cache folder of a file set: the SHA-256 of its sorted (path, SHA-256) pairs. */
export function fileSetId(files: readonly { path: string; sha256: string }[]): string {
  const lines = [...files].sort((a, b) => a.path.localeCompare(b.path)).map((f) => `${f.path}\0${f.sha256}\n`);
  return createHash('sha256').update(lines.join('')).digest('hex');
}

const integrity = (message: string, details: Record<string, unknown>) =>
  new InferenceError(InferenceErrorCode.ARTIFACT_INTEGRITY, message, details);

/**
 * Model artifacts content-addressed by SHA-256 over any blob store (see ArtifactStore). Versions
 * that share a file (a republish, an unchanged shard) store it once. The local cache holds
 * verified blobs (`<cache>/sha256/<hex>`) and, per file set, a folder of links to them
 * (`<cache>/versions/<fileSetId>/`) marked `.complete` once whole; a crash never leaves a
 * half folder marked complete, and two processes materialising one version both end with it.
 *
 * Removal keeps every blob another manifest of the namespace names. The one race left: a
 * removal that lists manifests just before a concurrent put of the same file writes its
 * manifest, and deletes the blob just after that put found it present; the new version is then
 * refused with ARTIFACT_INTEGRITY (missing blob) rather than served wrong, and bucket versioning
 * (infra) can bring the object back.
 */
export class ContentAddressedArtifactStore implements ArtifactStore {
  private readonly inflight = new Map<string, Promise<string>>();
  /** URI (and expected file set) -> its complete folder: versions are immutable, so the hot path reads no manifest. */
  private readonly known = new Map<string, string>();

  constructor(
    readonly blobs: BlobStore,
    private readonly cacheDir: string,
  ) {}

  get kind(): 'local' | 's3' {
    return this.blobs.kind;
  }

  async put(namespace: string, versionId: string, files: ArtifactFile[]): Promise<string> {
    if (!isSafeKey(namespace) || !/^[A-Za-z0-9_-]+$/.test(versionId)) throw new Error('unsafe artifact namespace');
    const seen = new Set<string>();
    for (const f of files) {
      if (!isSafeArtifactPath(f.path)) throw new Error(`unsafe artifact path ${f.path}`);
      if (seen.has(f.path)) throw new Error(`artifact path ${f.path} given twice`);
      seen.add(f.path);
    }
    const manifest: ArtifactManifest = { v: 1, files: digestsOf(files) };
    const key = manifestKey(namespace, versionId);
    const uri = this.blobs.uri(key);
    // The manifest first: from now on a removal of another version keeps these blobs.
    await this.blobs.put(key, Buffer.from(JSON.stringify(manifest)), { contentType: 'application/json' });
    try {
      const bySha = new Map(files.map((f, i) => [manifest.files.find((d) => d.path === f.path)!.sha256, files[i]!]));
      for (const [sha, file] of bySha) {
        const at = blobKey(namespace, sha);
        const there = await this.blobs.head(at);
        if (there?.size === file.bytes.length) continue;
        await this.blobs.put(at, file.bytes, { contentType: 'application/octet-stream' });
      }
    } catch (e) {
      await this.remove(uri).catch(() => undefined);
      throw e;
    }
    return uri;
  }

  async manifest(uri: string): Promise<ArtifactManifest | null> {
    const key = this.manifestKeyOf(uri);
    return key ? this.readManifest(key) : null;
  }

  async localDir(uri: string, expected?: readonly { path: string; sha256: string }[] | null): Promise<string> {
    const key = this.manifestKeyOf(uri);
    if (!key) return this.legacyDir(uri);
    const memo = expected?.length ? `${uri}#${fileSetId(expected)}` : uri;
    const known = this.known.get(memo);
    if (known && existsSync(join(known, '.complete'))) return known;
    const dir = await this.materialiseVersion(uri, key, expected);
    this.known.set(memo, dir);
    return dir;
  }

  private async materialiseVersion(
    uri: string,
    key: string,
    expected?: readonly { path: string; sha256: string }[] | null,
  ): Promise<string> {
    const namespace = key.slice(0, key.lastIndexOf('/versions/'));
    const files = expected?.length ? expected : (await this.readManifest(key))?.files;
    if (!files) throw integrity(`the manifest of ${uri} is missing from the artifact store`, { uri });
    for (const f of files)
      if (!isSafeArtifactPath(f.path) || !SHA256.test(f.sha256))
        throw integrity(`the manifest of ${uri} names an unsafe file`, { uri, file: f.path });
    const dir = join(this.cacheDir, 'versions', fileSetId(files));
    if (existsSync(join(dir, '.complete'))) return dir;
    let running = this.inflight.get(dir);
    if (!running) {
      running = this.materialise(namespace, files, dir).finally(() => this.inflight.delete(dir));
      this.inflight.set(dir, running);
    }
    return running;
  }

  async remove(uri: string): Promise<void> {
    const key = this.blobs.keyOf(uri);
    if (key === null) return; // a catalog folder or another store's object: not ours to delete
    const mKey = this.manifestKeyOf(uri);
    if (!mKey) {
      // A version stored before content addressing: its own folder of files.
      const prefix = key.replace(/\/+$/, '');
      const keys = (await this.blobs.list(`${prefix}/`)).map((b) => b.key);
      if (keys.length) await this.blobs.delete(keys);
      return;
    }
    const manifest = await this.readManifest(mKey);
    await this.blobs.delete(mKey);
    for (const memo of [...this.known.keys()]) if (memo === uri || memo.startsWith(`${uri}#`)) this.known.delete(memo);
    if (!manifest) return;
    const namespace = mKey.slice(0, mKey.lastIndexOf('/versions/'));
    const referenced = new Set<string>();
    for (const other of await this.blobs.list(`${namespace}/versions/`)) {
      if (!other.key.endsWith('.json')) continue;
      for (const f of (await this.readManifest(other.key).catch(() => null))?.files ?? []) referenced.add(f.sha256);
    }
    const unreferenced = [...new Set(manifest.files.map((f) => f.sha256))].filter((s) => !referenced.has(s));
    if (unreferenced.length) await this.blobs.delete(unreferenced.map((s) => blobKey(namespace, s)));
    // This process's cache: the version's folder, and blobs no longer stored.
    await rm(join(this.cacheDir, 'versions', fileSetId(manifest.files)), { recursive: true, force: true });
    for (const s of unreferenced) await rm(join(this.cacheDir, 'sha256', s), { force: true });
  }

  /** The manifest key `uri` names, or null for a folder URI (catalog, pre-content-addressing). */
  private manifestKeyOf(uri: string): string | null {
    const key = this.blobs.keyOf(uri);
    return key && /\/versions\/[A-Za-z0-9_-]+\.json$/.test(key) ? key : null;
  }

  private async readManifest(key: string): Promise<ArtifactManifest | null> {
    let bytes: Buffer;
    try {
      bytes = await this.blobs.get(key);
    } catch (e) {
      if (e instanceof BlobNotFound) return null;
      throw e;
    }
    const m = JSON.parse(bytes.toString('utf8')) as ArtifactManifest;
    if (m?.v !== 1 || !Array.isArray(m.files)) throw new Error(`not an artifact manifest: ${key}`);
    return m;
  }

  private async materialise(
    namespace: string,
    files: readonly { path: string; sha256: string }[],
    dir: string,
  ): Promise<string> {
    const blobs = new Map<string, string>();
    for (const f of files) if (!blobs.has(f.sha256)) blobs.set(f.sha256, await this.fetchBlob(namespace, f));
    const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      for (const f of files) {
        const target = join(tmp, f.path);
        await mkdir(dirname(target), { recursive: true });
        // A link where the cache is one filesystem (no second copy); a copy otherwise.
        await link(blobs.get(f.sha256)!, target).catch(() => copyFile(blobs.get(f.sha256)!, target));
      }
      await writeFile(join(tmp, '.complete'), '');
      await mkdir(dirname(dir), { recursive: true });
      // Another process (or an earlier crash) may have made it: a complete one wins, a half one is replaced.
      await rename(tmp, dir).catch(async () => {
        if (existsSync(join(dir, '.complete'))) return;
        await rm(dir, { recursive: true, force: true });
        await rename(tmp, dir);
      });
      return dir;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** One blob into the local cache, its SHA-256 checked on the way: bytes that are not what their address says are refused. */
  private async fetchBlob(namespace: string, file: { path: string; sha256: string }): Promise<string> {
    const target = join(this.cacheDir, 'sha256', file.sha256);
    if (existsSync(target)) return target;
    await mkdir(dirname(target), { recursive: true });
    const part = `${target}.part-${process.pid}-${randomBytes(4).toString('hex')}`;
    const hash = createHash('sha256');
    try {
      const source = await this.blobs.stream(blobKey(namespace, file.sha256)).catch((e) => {
        if (e instanceof BlobNotFound)
          throw integrity(`artifact file ${file.path} is missing from the artifact store: refused`, {
            file: file.path,
            expectedSha256: file.sha256,
          });
        throw e;
      });
      const meter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          done(null, chunk);
        },
      });
      await pipeline(source, meter, createWriteStream(part, { flags: 'wx' }));
      const got = hash.digest('hex');
      if (got !== file.sha256)
        throw integrity(`artifact file ${file.path} does not match its recorded SHA-256: refused`, {
          file: file.path,
          expectedSha256: file.sha256,
          actualSha256: got,
        });
      await rename(part, target);
      return target;
    } finally {
      await rm(part, { force: true });
    }
  }

  /** A folder URI: the catalog's local folder as it is, or a pre-content-addressing S3 folder downloaded once. */
  private async legacyDir(uri: string): Promise<string> {
    if (uri.startsWith('file://')) return fileURLToPath(uri);
    const key = this.blobs.keyOf(uri);
    if (key === null) throw new Error(`not an artifact of this store: ${uri}`);
    const prefix = `${key.replace(/\/+$/, '')}/`;
    const dir = join(this.cacheDir, 'folders', prefix);
    if (existsSync(join(dir, '.complete'))) return dir;
    const tmp = `${dir.replace(/\/+$/, '')}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      for (const b of await this.blobs.list(prefix)) {
        const rel = b.key.slice(prefix.length);
        if (!isSafeArtifactPath(rel)) continue;
        await mkdir(dirname(join(tmp, rel)), { recursive: true });
        await writeFile(join(tmp, rel), await this.blobs.get(b.key));
      }
      await mkdir(tmp, { recursive: true });
      await writeFile(join(tmp, '.complete'), '');
      await mkdir(dirname(dir.replace(/\/+$/, '')), { recursive: true });
      await rename(tmp, dir.replace(/\/+$/, '')).catch(() => undefined);
      return dir;
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
}
