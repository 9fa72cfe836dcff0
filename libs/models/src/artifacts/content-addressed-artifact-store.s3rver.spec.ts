import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BlobStore, LocalBlobStore, S3BlobStore } from '@app/storage';
import { S3Server, startS3Server } from '../../../../test/support/s3-server';
import { blobKey, ContentAddressedArtifactStore, fileSetId } from './content-addressed-artifact-store';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

// Content addressing over both blob adapters; S3 against a real S3-compatible server (s3rver).
describe.each(['local', 's3'] as const)('ContentAddressedArtifactStore (%s)', (kind) => {
  let s3: S3Server | undefined;
  let root: string;
  let blobs: BlobStore;
  let store: ContentAddressedArtifactStore;
  const json = Buffer.from(JSON.stringify({ format: 'layers-model', weightsManifest: [] }));
  const shard = Buffer.from([0, 1, 2, 250, 251, 252]);
  const shard2 = Buffer.from([9, 9, 9]);
  const v1 = [
    { path: 'model.json', bytes: json },
    { path: 'weights/group1-shard1of1.bin', bytes: shard },
  ];
  // Version 2 shares model.json and the shard, and adds one.
  const v2 = [...v1, { path: 'extra.bin', bytes: shard2 }];
  const keys = async (prefix: string) => (await blobs.list(prefix)).map((b) => b.key).sort();

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'cas-'));
    if (kind === 's3') {
      s3 = await startS3Server(['artifacts']);
      blobs = new S3BlobStore({
        bucket: 'artifacts',
        keyPrefix: 'models/',
        endpoint: s3.endpoint,
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      });
    } else blobs = new LocalBlobStore(path.join(root, 'models'));
    store = new ContentAddressedArtifactStore(blobs, path.join(root, 'cache'));
  });
  afterAll(async () => {
    (blobs as S3BlobStore).destroy?.();
    await s3?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('stores each file once under its SHA-256, with one manifest per version as the URI', async () => {
    const u1 = await store.put('ten_1', 'mv_1', v1);
    const u2 = await store.put('ten_1', 'mv_2', v2);
    expect(u1).toBe(blobs.uri('ten_1/versions/mv_1.json'));
    if (kind === 's3') expect(u1).toBe('s3://artifacts/models/ten_1/versions/mv_1.json');
    expect(await keys('ten_1/sha256/')).toEqual(
      [sha(json), sha(shard), sha(shard2)].map((h) => `ten_1/sha256/${h}`).sort(),
    );
    expect(await keys('ten_1/versions/')).toEqual(['ten_1/versions/mv_1.json', 'ten_1/versions/mv_2.json']);
    expect(await store.manifest(u2)).toEqual({
      v: 1,
      files: [
        { path: 'extra.bin', sha256: sha(shard2), sizeBytes: 3 },
        { path: 'model.json', sha256: sha(json), sizeBytes: json.length },
        { path: 'weights/group1-shard1of1.bin', sha256: sha(shard), sizeBytes: 6 },
      ],
    });
  });

  it('localDir materialises a version from the URI alone into a cache keyed by the SHA-256s, once', async () => {
    const uri = blobs.uri('ten_1/versions/mv_1.json');
    const dir = await store.localDir(uri);
    expect(path.basename(dir)).toBe(fileSetId((await store.manifest(uri))!.files));
    expect(await readFile(path.join(dir, 'weights/group1-shard1of1.bin'))).toEqual(shard);
    expect(await readFile(path.join(dir, 'model.json'))).toEqual(json);
    expect(existsSync(path.join(dir, '.complete'))).toBe(true);
    expect(existsSync(path.join(root, 'cache', 'sha256', sha(shard)))).toBe(true);
    // Immutable: the second call is the same folder, the store is not read again.
    await blobs.delete(blobKey('ten_1', sha(json)));
    expect(await store.localDir(uri)).toBe(dir);
    await blobs.put(blobKey('ten_1', sha(json)), json);
    // Two concurrent callers get one folder.
    const [a, b] = await Promise.all([
      store.localDir(blobs.uri('ten_1/versions/mv_2.json')),
      store.localDir(blobs.uri('ten_1/versions/mv_2.json')),
    ]);
    expect(a).toBe(b);
  });

  it('a blob changed in the store is refused with ARTIFACT_INTEGRITY and never lands in the cache', async () => {
    const tampered = Buffer.from('{"format":"layers-model","evil":true}');
    const good = Buffer.from('{"format":"layers-model","v":3}');
    const uri = await store.put('ten_1', 'mv_3', [{ path: 'model.json', bytes: good }]);
    await blobs.put(blobKey('ten_1', sha(good)), tampered);
    await expect(store.localDir(uri)).rejects.toMatchObject({
      inferenceCode: 'ARTIFACT_INTEGRITY',
      message: expect.stringMatching(/model\.json does not match its recorded SHA-256/),
    });
    expect(existsSync(path.join(root, 'cache', 'sha256', sha(good)))).toBe(false);
    // A missing blob is refused the same way.
    await blobs.delete(blobKey('ten_1', sha(good)));
    await expect(store.localDir(uri)).rejects.toMatchObject({ inferenceCode: 'ARTIFACT_INTEGRITY' });
    // The row's map is authoritative over the stored manifest.
    const forged = [{ path: 'model.json', sha256: sha(json) }];
    const dir = await store.localDir(uri, forged);
    expect(await readFile(path.join(dir, 'model.json'))).toEqual(json);
  });

  it('remove deletes the manifest and only blobs no other version names', async () => {
    await store.remove(blobs.uri('ten_1/versions/mv_2.json'));
    expect(await keys('ten_1/versions/')).toEqual(['ten_1/versions/mv_1.json', 'ten_1/versions/mv_3.json']);
    // extra.bin was only mv_2's; model.json and the shard are still mv_1's.
    expect(await keys('ten_1/sha256/')).toEqual([sha(json), sha(shard)].map((h) => `ten_1/sha256/${h}`).sort());
    await store.remove(blobs.uri('ten_1/versions/mv_1.json'));
    await store.remove(blobs.uri('ten_1/versions/mv_3.json'));
    expect(await keys('ten_1/')).toEqual([]);
  });

  it('refuses unsafe paths and writes nothing; a catalog folder URI is returned as is and never removed', async () => {
    await expect(store.put('ten_2', 'mv_bad', [{ path: '../escape.bin', bytes: Buffer.from('x') }])).rejects.toThrow(
      /unsafe artifact path/,
    );
    expect(await keys('ten_2/')).toEqual([]);
    const catalog = path.join(root, 'catalog', 'iris');
    await rm(catalog, { recursive: true, force: true });
    await writeFile(path.join(root, 'marker'), '');
    const uri = `file://${catalog}`;
    expect(await store.localDir(uri)).toBe(catalog);
    await store.remove(uri);
  });
});
