/**
 * Materialising a model version for the runtime from the content-addressed artifact store on a
 * real S3-compatible server (s3rver), against a plain download of the same objects (the
 * baseline, measured in the same run: what the pre-content-addressing store did, without
 * hashing). Cold: empty local cache (fetch + SHA-256 of every byte + link). SHA cache: the blobs
 * are cached (another version with the same files was loaded), the version folder is not.
 * Warm: the version's folder is complete.
 *
 *   node --require ./test/bench/register.js test/bench/artifact-cache.bench.ts   (BENCH_MB=16, BENCH_RUNS=5)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ContentAddressedArtifactStore } from '@app/models';
import { S3BlobStore } from '@app/storage';
import { startS3Server } from '../support/s3-server';
import { median, table } from './support/bench-kit';

const MB = Number(process.env.BENCH_MB ?? 16);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

async function main(): Promise<void> {
  const s3 = await startS3Server(['bench']);
  const blobs = new S3BlobStore({
    bucket: 'bench',
    keyPrefix: 'models/',
    endpoint: s3.endpoint,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  const root = mkdtempSync(path.join(tmpdir(), 'bench-cas-'));
  const cache = path.join(root, 'cache');
  const store = new ContentAddressedArtifactStore(blobs, cache);
  const shards = 4;
  const files = [
    { path: 'model.json', bytes: Buffer.from(JSON.stringify({ format: 'layers-model', weightsManifest: [] })) },
    ...Array.from({ length: shards }, (_, i) => ({
      path: `group1-shard${i + 1}of${shards}.bin`,
      bytes: randomBytes(Math.floor((MB * 1024 * 1024) / shards)),
    })),
  ];
  const uri = await store.put('ten_bench', 'mv_bench', files);
  // The baseline: the same objects downloaded to a folder, no hashing, no cache.
  const manifest = (await store.manifest(uri))!;
  const plain = async () => {
    const dir = path.join(root, `plain-${randomBytes(4).toString('hex')}`);
    await mkdir(dir, { recursive: true });
    for (const f of manifest.files)
      await writeFile(path.join(dir, f.path), await blobs.get(`ten_bench/sha256/${f.sha256}`));
    rmSync(dir, { recursive: true, force: true });
  };
  const time = async (before: () => void, run: () => Promise<unknown>) => {
    const out: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      before();
      const t0 = performance.now();
      await run();
      out.push(performance.now() - t0);
    }
    return median(out);
  };
  const base = await time(
    () => undefined,
    () => plain(),
  );
  const cold = await time(
    () => rmSync(cache, { recursive: true, force: true }),
    () => store.localDir(uri),
  );
  const shaCache = await time(
    () => rmSync(path.join(cache, 'versions'), { recursive: true, force: true }),
    () => store.localDir(uri),
  );
  const warm = await time(
    () => undefined,
    () => store.localDir(uri),
  );
  table(
    `materialise a ${MB} MB version (${shards + 1} files) from s3rver, median of ${RUNS}`,
    ['path', 'ms', 'x baseline'],
    [
      ['plain download (baseline)', base, 1],
      ['cold: fetch + verify SHA-256 + link', cold, cold / base],
      ['blobs in SHA cache, folder re-linked', shaCache, shaCache / base],
      ['version folder complete', warm, warm / base],
    ],
  );
  blobs.destroy();
  await s3.stop();
  rmSync(root, { recursive: true, force: true });
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
