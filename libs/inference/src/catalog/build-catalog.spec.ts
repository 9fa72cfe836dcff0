import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { selectBackend } from '../backend/tf-backend';
import { buildCatalog } from './build-catalog';
import { CatalogEntry } from './catalog-entry';
import { trainIris } from './iris-catalog.builder';

describe('buildCatalog', () => {
  let dir: string;
  let entries: CatalogEntry[];

  beforeAll(async () => {
    await selectBackend('');
    dir = mkdtempSync(path.join(tmpdir(), 'inference-catalog-'));
    entries = await buildCatalog(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('trains iris on a stratified held-out split with accuracy >= 0.9', () => {
    const iris = entries.find((e) => e.name === 'iris')!;
    expect(iris.version.metrics).toEqual({ accuracy: expect.any(Number), testSize: 30 });
    expect(iris.version.metrics!.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(iris.version).toMatchObject({
      format: 'layers',
      pricingUnit: 'instance',
      labels: ['setosa', 'versicolor', 'virginica'],
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }],
    });
    expect(statSync(path.join(iris.artifactDir, 'model.json')).isFile()).toBe(true);
  });

  it('trains iris deterministically (seeded split, initialisation and order)', async () => {
    const again = mkdtempSync(path.join(tmpdir(), 'inference-iris-'));
    try {
      const second = await trainIris(again);
      expect(second.version.metrics).toEqual(entries[0].version.metrics);
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });

  it('unpacks the nsfwjs MobileNetV2 image classifier from its npm package', () => {
    const nsfw = entries.find((e) => e.name === 'nsfw-mobilenet-v2')!;
    expect(nsfw.version).toMatchObject({
      format: 'layers',
      preprocess: 'image',
      labels: ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy'],
      inputs: [{ name: 'image', datatype: 'BYTES', shape: [-1] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 5] }],
    });
    expect(statSync(path.join(nsfw.artifactDir, 'group1-shard1of1')).size).toBeGreaterThan(1_000_000);
  });

  it('is idempotent: a second build reuses what is there', async () => {
    const before = statSync(path.join(entries[0].artifactDir, 'model.json')).mtimeMs;
    const again = await buildCatalog(dir);
    expect(again).toEqual(entries);
    expect(statSync(path.join(entries[0].artifactDir, 'model.json')).mtimeMs).toBe(before);
  });
});
