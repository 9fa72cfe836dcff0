import * as tf from '@tensorflow/tfjs';
import * as jpeg from 'jpeg-js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { buildCatalog } from '../catalog/build-catalog';
import { CatalogEntry } from '../catalog/catalog-entry';
import { InferenceError, InferenceErrorCode } from '../inference.error';
import { validateInputs } from '../signature/signature-validator';
import { ModelSpec } from '../signature/model-signature';
import { labelScores } from './inference-runtime';
import { inferenceConfigFromEnv } from './inference-config';
import { InferenceRuntime } from './inference-runtime';

const specOf = (entry: CatalogEntry, batching = { maxBatchSize: 64, maxDelayMs: 5 }): ModelSpec => ({
  id: entry.name,
  artifactDir: entry.artifactDir,
  ...entry.version,
  batching,
});

function pngBase64(width: number, height: number): string {
  const png = new PNG({ width, height });
  for (let i = 0; i < png.data.length; i++) png.data[i] = (i * 7) % 256;
  return PNG.sync.write(png).toString('base64');
}

function jpegBase64(width: number, height: number): string {
  const data = Buffer.alloc(width * height * 4, 200);
  return jpeg.encode({ width, height, data }, 80).data.toString('base64');
}

describe('InferenceRuntime', () => {
  let dir: string;
  let iris: ModelSpec;
  let nsfw: ModelSpec;
  let runtime: InferenceRuntime;

  beforeAll(async () => {
    runtime = new InferenceRuntime(inferenceConfigFromEnv({}));
    await runtime.init();
    dir = mkdtempSync(path.join(tmpdir(), 'inference-runtime-'));
    const [irisEntry, nsfwEntry] = await buildCatalog(dir);
    iris = specOf(irisEntry);
    nsfw = specOf(nsfwEntry);
  });
  afterAll(() => {
    runtime.onModuleDestroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names its backend for /readyz and /metrics', () => {
    expect(runtime.backendName).toBe('wasm');
    expect(runtime.memory().backend).toBe('wasm');
  });

  it('classifies iris measurements given in raw centimetres', async () => {
    const result = await runtime.predict(iris, {
      features: [
        [5.1, 3.5, 1.4, 0.2],
        [5.9, 3.0, 4.2, 1.5],
        [6.7, 3.0, 5.2, 2.3],
      ],
    });
    expect(result.instances).toBe(3);
    expect(
      labelScores(iris.labels!, result.outputs.probabilities as number[][]).map((scores) => scores[0].label),
    ).toEqual(['setosa', 'versicolor', 'virginica']);
    const rows = result.outputs.probabilities as number[][];
    for (const row of rows) expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  });

  it('stacks concurrent requests for one version into one batch', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, () => runtime.predict(iris, { features: [[6, 3, 4, 1.3]] })),
    );
    expect(results.map((r) => r.batchSize)).toEqual(new Array(20).fill(20));
    for (const r of results) {
      expect(r.timing.totalMs).toBeGreaterThanOrEqual(r.timing.queueMs);
      expect(r.computeShareMs).toBeCloseTo(r.timing.computeMs / 20);
    }
  });

  it('fills a batch from 64 concurrent requests, each reading its own rows', async () => {
    const rows = Array.from({ length: 64 }, (_, i) => [4.5 + (i % 30) / 10, 3, 1 + (i % 50) / 10, 0.2 + (i % 20) / 10]);
    const results = await Promise.all(rows.map((r) => runtime.predict(iris, { features: [r] })));
    expect(results.map((r) => r.batchSize)).toEqual(new Array(64).fill(64));
    // The same rows one request at a time: every request got its own row's scores.
    const alone = await runtime.predict(iris, { features: rows });
    const all = alone.outputs.probabilities as number[][];
    results.forEach((r, i) => {
      const mine = r.outputs.probabilities as number[][];
      mine[0].forEach((p, j) => expect(p).toBeCloseTo(all[i][j], 5));
    });
  });

  it('does not hold a lone request for the delay: a sequential client runs in batches of one', async () => {
    const patient = { ...iris, id: 'iris-patient', batching: { maxBatchSize: 64, maxDelayMs: 60_000 } };
    await runtime.predict(patient, { features: [[5, 3, 1.5, 0.2]] });
    for (let i = 0; i < 5; i++) {
      const held = new Promise((r) => setTimeout(() => r('held'), 5_000).unref());
      const result = await Promise.race([runtime.predict(patient, { features: [[5, 3, 1 + i, 0.2]] }), held]);
      expect(result).toMatchObject({ batchSize: 1, instances: 1 });
    }
  });

  it('answers the same on its fast path as through the full signature check, errors included', async () => {
    await runtime.predict(iris, { features: [[5, 3, 1.5, 0.2]] });
    const nested = await runtime.predict(iris, { features: [[5.9, 3, 4.2, 1.5]] });
    const flat = await runtime.predict(iris, { features: { shape: [1, 4], data: [5.9, 3, 4.2, 1.5] } });
    expect(flat.outputs).toEqual(nested.outputs);
    const limits = runtime.limitsFor(iris);
    const bad: unknown[] = [
      { features: [[1, 2, NaN, 4]] },
      { features: [[1, 2, 3]] },
      {
        features: [
          [1, 2, 3, 4],
          [1, 2, 3],
        ],
      },
      { features: [[1, 2, '3', 4]] },
      { features: [[1, 2, 3, 1e39]] },
      { features: [] },
      { features: [[1, 2, 3, 4]], extra: [[1]] },
      { features: Array.from({ length: 65 }, () => [1, 2, 3, 4]) },
      [[1, 2, 3, 4]],
    ];
    for (const inputs of bad) {
      let expected: unknown;
      try {
        validateInputs(iris.inputs, inputs as never, limits);
      } catch (e) {
        expected = e;
      }
      expect(expected).toBeInstanceOf(InferenceError);
      await expect(runtime.predict(iris, inputs as never)).rejects.toMatchObject({
        message: (expected as InferenceError).message,
        inferenceCode: (expected as InferenceError).inferenceCode,
      });
    }
  });

  it('rejects invalid input before loading the model', async () => {
    const fresh = new InferenceRuntime(inferenceConfigFromEnv({}));
    await expect(fresh.predict(iris, { features: [[1, 2, NaN, 4]] })).rejects.toMatchObject({
      inferenceCode: InferenceErrorCode.INVALID_INPUT,
      contractCode: 'BAD_USER_INPUT',
    });
    expect(fresh.memory().cache.loads).toBe(0);
  });

  it('classifies PNG and JPEG images into labelled scores', async () => {
    const result = await runtime.predict(nsfw, { image: [pngBase64(64, 48), jpegBase64(300, 200)] });
    expect(result.instances).toBe(2);
    for (const scores of labelScores(nsfw.labels!, result.outputs[nsfw.outputs[0].name] as number[][])) {
      expect(scores.map((s) => s.label).sort()).toEqual(['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy']);
      expect(scores.reduce((a, s) => a + s.score, 0)).toBeCloseTo(1, 4);
    }
    const single = await runtime.predict(nsfw, { image: `data:image/png;base64,${pngBase64(10, 10)}` });
    expect(single.instances).toBe(1);
  });

  it('decodes images on worker threads to the same scores as on the event loop', async () => {
    const onLoop = new InferenceRuntime({ ...inferenceConfigFromEnv({}), imageWorkers: 0 });
    const onThreads = new InferenceRuntime({ ...inferenceConfigFromEnv({}), imageWorkers: 2 });
    const images = [pngBase64(64, 48), jpegBase64(300, 200), pngBase64(224, 224)];
    try {
      const [a, b] = [await onLoop.predict(nsfw, { image: images }), await onThreads.predict(nsfw, { image: images })];
      const name = nsfw.outputs[0].name;
      const [x, y] = [a.outputs[name] as number[][], b.outputs[name] as number[][]];
      expect(y).toHaveLength(3);
      x.forEach((row, i) => row.forEach((score, j) => expect(y[i][j]).toBeCloseTo(score, 6)));
      // Concurrent image requests are decoded in parallel and still stack into batches.
      const many = await Promise.all(images.map((image) => onThreads.predict(nsfw, { image })));
      many.forEach((r, i) => (r.outputs[name] as number[][])[0].forEach((s, j) => expect(s).toBeCloseTo(x[i][j], 5)));
    } finally {
      onLoop.onModuleDestroy();
      onThreads.onModuleDestroy();
    }
  });

  it.each([
    ['text', Buffer.from('hello, not an image').toString('base64')],
    ['a GIF', Buffer.from('GIF89a\x01\x00\x01\x00').toString('base64')],
    ['a truncated PNG', pngBase64(8, 8).slice(0, 40)],
    ['not base64', '%%%'],
    ['a number', 42],
  ])('answers NOT_IMAGE for %s', async (_, image) => {
    await expect(runtime.predict(nsfw, { image } as never)).rejects.toMatchObject({
      inferenceCode: InferenceErrorCode.NOT_IMAGE,
      contractCode: 'BAD_USER_INPUT',
    });
  });

  it('disposes every tensor: 10,000 requests leave tf.memory().numTensors where it was', async () => {
    await runtime.predict(iris, { features: [[5, 3, 1.5, 0.2]] });
    const start = tf.memory().numTensors;
    for (let wave = 0; wave < 20; wave++) {
      await Promise.all(
        Array.from({ length: 500 }, (_, i) =>
          runtime.predict(iris, { features: [[4 + (i % 4), 3, 1 + (i % 5), 0.2 + (wave % 2)]] }),
        ),
      );
    }
    expect(tf.memory().numTensors).toBe(start);
  });

  it('times out a request that cannot finish in time', async () => {
    const images = Array.from({ length: 2 }, () => pngBase64(224, 224));
    await expect(runtime.predict(nsfw, { image: images }, { timeoutMs: 1 })).rejects.toMatchObject({
      inferenceCode: InferenceErrorCode.TIMEOUT,
    });
  });

  describe('model cache', () => {
    it('loads a version once for concurrent first requests', async () => {
      const fresh = new InferenceRuntime(inferenceConfigFromEnv({}));
      await Promise.all(Array.from({ length: 5 }, () => fresh.predict(iris, { features: [[5, 3, 1.5, 0.2]] })));
      expect(fresh.memory().cache).toMatchObject({ models: 1, loads: 1 });
      fresh.onModuleDestroy();
    });

    it('evicts the least recently used model beyond its byte budget and frees its tensors', async () => {
      const before = tf.memory().numTensors;
      const small = new InferenceRuntime({ ...inferenceConfigFromEnv({}), cacheBytes: 1024 });
      const irisCopy = { ...iris, id: 'iris-lru' };
      await small.predict(irisCopy, { features: [[5, 3, 1.5, 0.2]] });
      const withIris = tf.memory().numTensors;
      expect(withIris).toBeGreaterThan(before);
      await small.predict({ ...nsfw, id: 'nsfw-lru' }, { image: pngBase64(4, 4) });
      expect(small.memory().cache).toMatchObject({ models: 1, evictions: 1 });
      small.onModuleDestroy();
      expect(tf.memory().numTensors).toBe(before);
    });
  });
});
