import * as tf from '@tensorflow/tfjs';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileSystemLoader, FileSystemSaver } from './file-system-io';

describe('file system IO handlers', () => {
  let dir: string;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    dir = mkdtempSync(path.join(tmpdir(), 'inference-io-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('saves a LayersModel as model.json + shards and loads it back with the same weights', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
    await model.save(new FileSystemSaver(path.join(dir, 'layers')));
    expect(readdirSync(path.join(dir, 'layers')).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    const loaded = await tf.loadLayersModel(new FileSystemLoader(path.join(dir, 'layers')));
    const x = tf.tensor2d([[1, 2, 3]]);
    const [a, b] = [model.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([x, a, b]);
    model.dispose();
    loaded.dispose();
  });

  it('loads a GraphModel (a hand-written y = x . w graph)', async () => {
    const graphDir = path.join(dir, 'graph');
    const dim = (...sizes: number[]) => ({ dim: sizes.map((size) => ({ size: String(size) })) });
    mkdirSync(graphDir);
    writeFileSync(path.join(graphDir, 'w.bin'), Buffer.from(new Float32Array([2, 3]).buffer));
    writeFileSync(
      path.join(graphDir, 'model.json'),
      JSON.stringify({
        format: 'graph-model',
        modelTopology: {
          node: [
            { name: 'x', op: 'Placeholder', attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: dim(-1, 2) } } },
            {
              name: 'w',
              op: 'Const',
              attr: { dtype: { type: 'DT_FLOAT' }, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dim(2, 1) } } },
            },
            {
              name: 'y',
              op: 'MatMul',
              input: ['x', 'w'],
              attr: { T: { type: 'DT_FLOAT' }, transpose_a: { b: false }, transpose_b: { b: false } },
            },
          ],
          versions: { producer: 1 },
        },
        weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'w', shape: [2, 1], dtype: 'float32' }] }],
      }),
    );
    const model = await tf.loadGraphModel(new FileSystemLoader(graphDir));
    const x = tf.tensor2d([
      [1, 1],
      [2, 0],
    ]);
    const y = model.predict(x) as tf.Tensor;
    expect(Array.from(y.dataSync())).toEqual([5, 4]);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('refuses weight shards outside the model folder', async () => {
    const evil = path.join(dir, 'evil');
    mkdirSync(evil);
    writeFileSync(
      path.join(evil, 'model.json'),
      JSON.stringify({
        modelTopology: {},
        format: 'layers-model',
        weightsManifest: [{ paths: ['../../etc/passwd'], weights: [] }],
      }),
    );
    await expect(new FileSystemLoader(evil).load()).rejects.toThrow(/outside the model folder/);
  });
});
