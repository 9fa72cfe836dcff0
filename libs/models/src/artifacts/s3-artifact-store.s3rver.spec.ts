import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { S3Server, startS3Server } from '../../../../test/support/s3-server';
import { S3ArtifactStore } from './s3-artifact-store';

// The store against a real S3-compatible server (s3rver), not a fake of our own making.
describe('S3ArtifactStore against s3rver', () => {
  let s3: S3Server;
  let cacheDir: string;
  let store: S3ArtifactStore;
  const files = [
    { path: 'model.json', bytes: Buffer.from(JSON.stringify({ format: 'layers-model', weightsManifest: [] })) },
    { path: 'weights/group1-shard1of1.bin', bytes: Buffer.from([0, 1, 2, 250, 251, 252]) },
  ];
  const keys = async (prefix: string) =>
    ((await s3.client.send(new ListObjectsV2Command({ Bucket: 'artifacts', Prefix: prefix }))).Contents ?? [])
      .map((o) => o.Key)
      .sort();

  beforeAll(async () => {
    s3 = await startS3Server(['artifacts']);
    cacheDir = await mkdtemp(path.join(os.tmpdir(), 'artifact-cache-'));
    store = new S3ArtifactStore(s3.client, 'artifacts', 'models/', cacheDir);
  });
  afterAll(async () => {
    await s3?.stop();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('put writes one object per file under <prefix><namespace>/<version>/ and returns its s3:// URI', async () => {
    const uri = await store.put('ten_1', 'mv_1', files);
    expect(uri).toBe('s3://artifacts/models/ten_1/mv_1/');
    expect(await keys('models/ten_1/mv_1/')).toEqual([
      'models/ten_1/mv_1/model.json',
      'models/ten_1/mv_1/weights/group1-shard1of1.bin',
    ]);
  });

  it('localDir downloads the version byte for byte, once, and marks it complete', async () => {
    const dir = await store.localDir('s3://artifacts/models/ten_1/mv_1/');
    expect(await readFile(path.join(dir, 'weights/group1-shard1of1.bin'))).toEqual(files[1]!.bytes);
    expect(JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8'))).toMatchObject({ format: 'layers-model' });
    expect(existsSync(path.join(dir, '.complete'))).toBe(true);
    // Versions are immutable: the second call is served from the local copy, not the bucket.
    await s3.client.send(new DeleteObjectCommand({ Bucket: 'artifacts', Key: 'models/ten_1/mv_1/model.json' }));
    expect(await store.localDir('s3://artifacts/models/ten_1/mv_1/')).toBe(dir);
    expect(existsSync(path.join(dir, 'model.json'))).toBe(true);
  });

  it('refuses an unsafe path and writes nothing for it', async () => {
    await expect(store.put('ten_1', 'mv_bad', [{ path: '../escape.bin', bytes: Buffer.from('x') }])).rejects.toThrow(
      /unsafe artifact path/,
    );
    expect(await keys('models/ten_1/mv_bad/')).toEqual([]);
  });

  it('remove deletes the objects and the local copy; another version stays', async () => {
    await store.put('ten_2', 'mv_9', files);
    const dir = await store.localDir('s3://artifacts/models/ten_1/mv_1/');
    await store.remove('s3://artifacts/models/ten_1/mv_1/');
    expect(await keys('models/ten_1/mv_1/')).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    expect(await keys('models/ten_2/mv_9/')).toHaveLength(2);
  });
});
