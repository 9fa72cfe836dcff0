/**
 * Micro-batching benchmark: N concurrent single-instance requests through InferenceRuntime
 * (validation + micro-batcher + model + each request reading its own output rows) against the
 * same model called one instance at a time (the floor batching must beat) and one batch of the
 * same N rows (the ceiling, target >= 0.8): its tensor made from the rows stacked in one typed
 * array, as the batcher must, and also from a tensor made beforehand (the stricter column).
 * Every column reads its outputs back with dataSync, as the runtime's executor does. Columns are
 * interleaved; each is the median of per-sample rates (a sample: N instances), which a shared
 * machine's descheduling does not swamp. The batch-size distribution is printed as size x count.
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
  /** Timed samples per round, per column (each sample: N instances). */
  reps: number;
  warmups: number;
  /** One request body per instance (what a client sends). */
  requests: Array<Record<string, unknown>>;
  /** The same instances, stacked into one typed array: [N, ...instanceShape]. */
  rows: Float32Array;
  shape: number[];
  output: string;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Per-sample rates (instances per second), one sample per call of `fn` (each handles N
 * instances). Medians of single samples, not means of long runs: on a shared machine a run is
 * descheduled for milliseconds now and then, which would swamp sub-millisecond iris batches.
 */
async function rates(reps: number, fn: () => Promise<unknown> | unknown, into: number[]): Promise<void> {
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    await fn();
    into.push(N / ((performance.now() - start) / 1000));
  }
}

// Every column reads its outputs back the same way the runtime's executor does (dataSync).
function oneAtATime(model: tf.LayersModel, stacked: tf.Tensor): void {
  for (let i = 0; i < N; i++) {
    const out = tf.tidy(() => model.predict(tf.slice(stacked, i, 1)) as tf.Tensor);
    out.dataSync();
    out.dispose();
  }
}

/**
 * The ceiling: one model call on the same N rows, already stacked. `fromRows`: the tensor is made
 * from the stacked typed array, as the batcher must (its requests' rows are in a typed array);
 * otherwise it is a ready tensor (the stricter ceiling: no tensor creation at all).
 */
function oneBatch(model: tf.LayersModel, c: Case, ready?: tf.Tensor): void {
  // predictOnBatch: one call for all rows (predict() would run them in chunks of 32).
  const out = tf.tidy(() => model.predictOnBatch(ready ?? tf.tensor(c.rows, c.shape)) as tf.Tensor);
  out.dataSync();
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
    reps: 40,
    warmups: 200,
    spec: {
      id: 'iris-bench',
      artifactDir: entry.artifactDir,
      ...entry.version,
      batching: { maxBatchSize: N, maxDelayMs: 2 },
    },
    requests: rows.map((r) => ({ features: [r] })),
    rows: Float32Array.from(rows.flat()),
    shape: [N, 4],
    output: entry.version.outputs[0].name,
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
    reps: 1,
    warmups: 1,
    spec: {
      id: 'image-bench',
      artifactDir: entry.artifactDir,
      ...entry.version,
      batching: { maxBatchSize: N, maxDelayMs: 2 },
    },
    requests: images.map((image) => ({ image })),
    rows: data,
    shape: [N, 224, 224, 3],
    output: entry.version.outputs[0].name,
  };
}

/** How many batches of each size the micro-batched runs made ("size x count"), from requests per size. */
function histogram(sizes: Float64Array): string {
  const parts: string[] = [];
  for (let size = sizes.length - 1; size > 0; size--)
    if (sizes[size] > 0) parts.push(`${size}x${Math.round(sizes[size] / size)}`);
  return parts.join(' ');
}

async function run(runtime: InferenceRuntime, c: Case): Promise<Record<string, string>> {
  const model = await tf.loadLayersModel(new FileSystemLoader(c.spec.artifactDir));
  const ready = tf.tensor(c.rows, c.shape);
  // Requests per batch size: the batch-size distribution.
  const sizes = new Float64Array(N + 1);
  const microBatched = async () => {
    const results = await Promise.all(c.requests.map((r) => runtime.predict(c.spec, r as never)));
    // Each request reads its own rows (a view into the batch's output): the split is measured too.
    for (const r of results) {
      if ((r as unknown as { tensor(n: string): Float32Array }).tensor(c.output).length === 0) throw new Error('empty');
      sizes[Math.min(N, r.batchSize)]++;
    }
  };
  // Warm-up: kernels for both batch sizes, and the JIT for every path measured (steady state).
  for (let i = 0; i < c.warmups; i++) {
    oneBatch(model, c);
    oneBatch(model, c, ready);
    const first = tf.slice(ready, 0, 1);
    oneBatch(model, c, first);
    first.dispose();
    await microBatched();
  }
  sizes.fill(0);
  const seq: number[] = [];
  const batched: number[] = [];
  const ceiling: number[] = [];
  const readyCeiling: number[] = [];
  // Interleaved, so that every column sees the same machine load.
  for (let round = 0; round < c.rounds; round++) {
    await rates(Math.max(1, c.reps / 8), () => oneAtATime(model, ready), seq);
    await rates(c.reps, microBatched, batched);
    await rates(c.reps, () => oneBatch(model, c), ceiling);
    await rates(c.reps, () => oneBatch(model, c, ready), readyCeiling);
  }
  model.dispose();
  ready.dispose();
  const [s, b, k, r] = [median(seq), median(batched), median(ceiling), median(readyCeiling)];
  const fmt = (x: number) => x.toFixed(x < 100 ? 2 : 0);
  return {
    model: c.name,
    rounds: `${c.rounds}x${c.reps}`,
    'one-at-a-time /s': fmt(s),
    'micro-batched /s': fmt(b),
    'ceiling /s': fmt(k),
    'ready-tensor ceiling /s': fmt(r),
    'batched / single': `${(b / s).toFixed(2)}x`,
    'batched / ceiling': (b / k).toFixed(2),
    'batched / ready-tensor': (b / r).toFixed(2),
    'batches (size x count)': histogram(sizes),
  };
}

const percentile = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

/** One request at a time: the runtime (validation, batcher, result) against model.predict on the same row. */
async function lone(runtime: InferenceRuntime, entry: CatalogEntry): Promise<Record<string, string>[]> {
  const spec: ModelSpec = { id: 'iris-lone', artifactDir: entry.artifactDir, ...entry.version };
  const model = await tf.loadLayersModel(new FileSystemLoader(entry.artifactDir));
  const row = [5.9, 3.0, 4.2, 1.5];
  // The same read-back as the runtime's executor (dataSync).
  const direct = async () => {
    const out = tf.tidy(() => model.predict(tf.tensor2d([row])) as tf.Tensor);
    out.dataSync();
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
  console.log(`\nbackend ${backend}, ${N} concurrent single-instance requests, medians of per-sample rates`);
  console.table(rows);
  console.log('micro-batched: N concurrent runtime.predict calls, each validated (images: base64, PNG decode,');
  console.log('resize) and reading its own output rows; ceiling: one predictOnBatch of the same N rows from one');
  console.log('stacked typed array (ready-tensor: from a tensor made beforehand); all read outputs with dataSync.');
  console.log(`Tensors leaked: ${tf.memory().numTensors - before}`);
  console.log('\nlone iris request, one at a time (model warm)');
  console.table(loneRows);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
