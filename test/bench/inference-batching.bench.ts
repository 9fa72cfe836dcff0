/**
 * Micro-batching benchmark: N concurrent single-instance requests through InferenceRuntime
 * (validation + micro-batcher + model) against the same model called one instance at a time
 * (the floor batching must beat, >= 3x) and one pre-stacked batch of N (the ceiling, >= 0.8).
 * Then a lone request: p50/p99 of sequential single-instance iris requests through the runtime
 * against model.predict called directly on the same row (target: within 2x).
 *
 *   node --require ./test/bench/register.js test/bench/inference-batching.bench.ts
 *
 * Env: BENCH_CONCURRENCY (64), BENCH_ROUNDS (7: five times that for iris, a third for the image
 * model), BENCH_MODELS (iris,image), BENCH_LONE (2000 lone requests),
 * TFJS_BACKEND. Prints medians; never used as a pass/fail test.
 */
import {
  buildCatalog,
  CatalogEntry,
  FileSystemLoader,
  InferenceRuntime,
  inferenceConfigFromEnv,
  ModelSpec,
} from '@app/inference';
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
  warmups: number;
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
  // predictOnBatch: one call for all rows (predict() would run them in chunks of 32).
  const out = model.predictOnBatch(stacked) as tf.Tensor;
  await out.data();
  out.dispose();
}

function irisCase(entry: CatalogEntry): Case {
  const rows = Array.from({ length: N }, (_, i) => [
    4.5 + (i % 30) / 10,
    2 + (i % 15) / 10,
    1 + (i % 50) / 10,
    0.1 + (i % 25) / 10,
  ]);
  return {
    name: 'iris',
    rounds: ROUNDS * 5,
    warmups: 200,
    spec: {
      id: 'iris-bench',
      artifactDir: entry.artifactDir,
      ...entry.version,
      batching: { maxBatchSize: N, maxDelayMs: 2 },
    },
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
    name: entry.name,
    rounds: Math.max(1, Math.ceil(ROUNDS / 3)),
    warmups: 1,
    spec: {
      id: 'image-bench',
      artifactDir: entry.artifactDir,
      ...entry.version,
      batching: { maxBatchSize: N, maxDelayMs: 2 },
    },
    requests: images.map((image) => ({ image })),
    stacked: tf.tensor4d(data, [N, 224, 224, 3]),
  };
}

async function run(runtime: InferenceRuntime, c: Case): Promise<Record<string, string>> {
  const model = await tf.loadLayersModel(new FileSystemLoader(c.spec.artifactDir));
  // Warm-up: kernels for both batch sizes, and the JIT for every path measured (steady state).
  for (let i = 0; i < c.warmups; i++) {
    await oneBatch(model, c.stacked);
    const first = tf.slice(c.stacked, 0, 1);
    await oneBatch(model, first);
    first.dispose();
    await Promise.all(c.requests.map((r) => runtime.predict(c.spec, r as never)));
  }
  const seq: number[] = [];
  const batched: number[] = [];
  const ceiling: number[] = [];
  const batchSizes: number[] = [];
  for (let round = 0; round < c.rounds; round++) {
    seq.push(N / (await timed(() => oneAtATime(model, c.stacked))));
    batched.push(
      N /
        (await timed(async () => {
          const results = await Promise.all(c.requests.map((r) => runtime.predict(c.spec, r as never)));
          batchSizes.push(results.reduce((s, r) => s + r.batchSize, 0) / results.length);
        })),
    );
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

const percentile = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

/** One request at a time: the runtime (validation, batcher, result) against model.predict on the same row. */
async function lone(runtime: InferenceRuntime, entry: CatalogEntry): Promise<Record<string, string>[]> {
  const spec: ModelSpec = { id: 'iris-lone', artifactDir: entry.artifactDir, ...entry.version };
  const model = await tf.loadLayersModel(new FileSystemLoader(entry.artifactDir));
  const row = [5.9, 3.0, 4.2, 1.5];
  const direct = async () => {
    const out = tf.tidy(() => model.predict(tf.tensor2d([row])) as tf.Tensor);
    await out.data();
    out.dispose();
  };
  // Reads the nested outputs, as the JSON protocols do (labelled scores are ranked only when asked for).
  const viaRuntime = async () => void (await runtime.predict(spec, { features: [row] })).outputs;
  const samples = { direct: [] as number[], runtime: [] as number[] };
  const count = Number(process.env.BENCH_LONE ?? 2000);
  for (let i = 0; i < 200; i++) {
    await direct(); // warm-up
    await viaRuntime();
  }
  for (let i = 0; i < count; i++) {
    // Interleaved, so that both see the same machine load.
    let t = performance.now();
    await direct();
    samples.direct.push(performance.now() - t);
    t = performance.now();
    await viaRuntime();
    samples.runtime.push(performance.now() - t);
  }
  model.dispose();
  const base = percentile(samples.direct, 0.5);
  return (['direct', 'runtime'] as const).map((k) => ({
    path: k === 'direct' ? 'model.predict directly (baseline)' : 'InferenceRuntime.predict (+ nested outputs)',
    'p50 ms': percentile(samples[k], 0.5).toFixed(3),
    'p99 ms': percentile(samples[k], 0.99).toFixed(3),
    'p50 / direct': (percentile(samples[k], 0.5) / base).toFixed(2),
  }));
}

async function main(): Promise<void> {
  const runtime = new InferenceRuntime();
  const backend = await runtime.init();
  const entries = await buildCatalog(path.join(tmpdir(), 'inference-bench-catalog'));
  const iris = entries.find((e) => e.name === 'iris')!;
  const image = entries.find((e) => e.version.preprocess === 'image')!;
  const before = tf.memory().numTensors;
  const models = (process.env.BENCH_MODELS ?? 'iris,image').split(',');
  const rows: Record<string, string>[] = [];
  if (models.includes('iris')) rows.push(await run(runtime, irisCase(iris)));
  if (models.includes('image')) rows.push(await run(runtime, imageCase(image)));
  const loneRows = await lone(runtime, iris);
  runtime.onModuleDestroy();
  console.log(`\nbackend ${backend}, ${N} concurrent single-instance requests, median of rounds`);
  console.table(rows);
  console.log('micro-batched includes validation, and for images base64 + PNG decode + resize per request;');
  console.log(
    `the other two columns call model.predict on ready tensors. Tensors leaked: ${tf.memory().numTensors - before}`,
  );
  console.log('\nlone iris request, one at a time (model warm)');
  console.table(loneRows);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
