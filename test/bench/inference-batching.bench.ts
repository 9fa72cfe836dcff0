/**
 * Micro-batching benchmark: N concurrent single-instance requests through InferenceRuntime
 * (validation + micro-batcher + model) against the same model called one instance at a time
 * (the floor batching must beat, >= 3x) and one pre-stacked batch of N (the ceiling, >= 0.8).
 *
 *   node --require ./test/bench/register.js test/bench/inference-batching.bench.ts
 *
 * Env: BENCH_CONCURRENCY (64), BENCH_ROUNDS (7 for iris, a third of that for the image model),
 * TFJS_BACKEND. Prints medians; never used as a pass/fail test.
 */
import { buildCatalog, CatalogEntry, FileSystemLoader, InferenceRuntime, inferenceConfigFromEnv, ModelSpec } from '@app/inference';
import { decodeImage } from '@app/inference/image/image-decoder';
import { imageToInstance } from '@app/inference/image/image-preprocessor';
import * as tf from '@tensorflow/tfjs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';

const N = Number(process.env.BENCH_CONCURRENCY ?? 64);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

interface Case {
  name: string;
  spec: ModelSpec;
  rounds: number;
  /** One request body per instance (what a client sends). */
  requests: Array<Record<string, unknown>>;
  /** The same instances, ready for the model: [N, ...instanceShape]. */
  stacked: tf.Tensor;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

async function oneAtATime(model: tf.LayersModel, stacked: tf.Tensor): Promise<void> {
  for (let i = 0; i < N; i++) {
    const out = tf.tidy(() => model.predict(tf.slice(stacked, i, 1)) as tf.Tensor);
    await out.data();
    out.dispose();
  }
}

async function oneBatch(model: tf.LayersModel, stacked: tf.Tensor): Promise<void> {
  const out = model.predict(stacked) as tf.Tensor;
  await out.data();
  out.dispose();
}

function irisCase(entry: CatalogEntry): Case {
  const rows = Array.from({ length: N }, (_, i) => [4.5 + (i % 30) / 10, 2 + (i % 15) / 10, 1 + (i % 50) / 10, 0.1 + (i % 25) / 10]);
  return {
    name: 'iris', rounds: ROUNDS,
    spec: { id: 'iris-bench', artifactDir: entry.artifactDir, ...entry.version, batching: { maxBatchSize: N, maxDelayMs: 2 } },
    requests: rows.map((r) => ({ features: [r] })),
    stacked: tf.tensor2d(rows),
  };
}

function imageCase(entry: CatalogEntry): Case {
  const images = Array.from({ length: N }, (_, k) => {
    const png = new PNG({ width: 224, height: 224 });
    for (let i = 0; i < png.data.length; i++) png.data[i] = (i * (k + 3)) % 256;
    return PNG.sync.write(png).toString('base64');
  });
  const limits = inferenceConfigFromEnv().image;
  const pixels = images.map((b64) => imageToInstance(decodeImage(b64, limits), 224));
  const data = new Float32Array(N * 224 * 224 * 3);
  pixels.forEach((p, i) => data.set(p, i * p.length));
  return {
    name: entry.name, rounds: Math.max(1, Math.ceil(ROUNDS / 3)),
    spec: { id: 'image-bench', artifactDir: entry.artifactDir, ...entry.version, batching: { maxBatchSize: N, maxDelayMs: 2 } },
    requests: images.map((image) => ({ image })),
    stacked: tf.tensor4d(data, [N, 224, 224, 3]),
  };
}

async function run(runtime: InferenceRuntime, c: Case): Promise<Record<string, string>> {
  const model = await tf.loadLayersModel(new FileSystemLoader(c.spec.artifactDir));
  await oneBatch(model, c.stacked); // warm-up: kernels for both batch sizes
  const first = tf.slice(c.stacked, 0, 1);
  await oneBatch(model, first);
  first.dispose();
  await Promise.all(c.requests.map((r) => runtime.predict(c.spec, r as never)));
  const seq: number[] = [];
  const batched: number[] = [];
  const ceiling: number[] = [];
  const batchSizes: number[] = [];
  for (let round = 0; round < c.rounds; round++) {
    seq.push(N / (await timed(() => oneAtATime(model, c.stacked))));
    batched.push(N / (await timed(async () => {
      const results = await Promise.all(c.requests.map((r) => runtime.predict(c.spec, r as never)));
      batchSizes.push(results.reduce((s, r) => s + r.batchSize, 0) / results.length);
    })));
    ceiling.push(N / (await timed(() => oneBatch(model, c.stacked))));
  }
  model.dispose();
  c.stacked.dispose();
  const [s, b, k] = [median(seq), median(batched), median(ceiling)];
  return {
    model: c.name,
    rounds: String(c.rounds),
    'one-at-a-time /s': s.toFixed(0),
    'micro-batched /s': b.toFixed(0),
    'one batch /s': k.toFixed(0),
    'batched / single': `${(b / s).toFixed(2)}x`,
    'batched / ceiling': (b / k).toFixed(2),
    'mean batch': median(batchSizes).toFixed(1),
  };
}

async function main(): Promise<void> {
  const runtime = new InferenceRuntime();
  const backend = await runtime.init();
  const entries = await buildCatalog(path.join(tmpdir(), 'inference-bench-catalog'));
  const iris = entries.find((e) => e.name === 'iris')!;
  const image = entries.find((e) => e.version.preprocess === 'image')!;
  const before = tf.memory().numTensors;
  const rows = [await run(runtime, irisCase(iris)), await run(runtime, imageCase(image))];
  runtime.onModuleDestroy();
  console.log(`\nbackend ${backend}, ${N} concurrent single-instance requests, median of rounds`);
  console.table(rows);
  console.log('micro-batched includes validation, and for images base64 + PNG decode + resize per request;');
  console.log(`the other two columns call model.predict on ready tensors. Tensors leaked: ${tf.memory().numTensors - before}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
