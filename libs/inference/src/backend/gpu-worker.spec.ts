import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildCatalog } from '../catalog/build-catalog';
import { inferenceConfigFromEnv } from '../runtime/inference-config';
import { InferenceRuntime, labelScores } from '../runtime/inference-runtime';
import { BACKEND_PREFERENCE, resetBackendSelection } from './tf-backend';

const ROOT = path.resolve(__dirname, '../../../..');
const dockerfile = readFileSync(path.join(ROOT, 'apps/worker/Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
/** The final stage: what runs on the GPU host. */
const runtimeStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

function installed(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}

describe('GPU worker image', () => {
  it('runs the worker on a CUDA base image with tfjs-node-gpu forced as its backend', () => {
    expect(dockerfile).toMatch(/^ARG CUDA_IMAGE=nvidia\/cuda:[\w.-]+cudnn\d[\w.-]*$/m);
    expect(runtimeStage).toMatch(/^FROM base\s*$/m);
    expect(runtimeStage).toMatch(/TFJS_BACKEND=tfjs-node-gpu/);
    expect(runtimeStage).toMatch(/CMD \["node", "dist\/apps\/worker\/src\/main\.js"\]/);
    // A forced backend that cannot load stops the worker (tf-backend.spec): no silent CPU fallback.
    expect(BACKEND_PREFERENCE[0]).toBe('tfjs-node-gpu');
  });

  it('fails the image build when the GPU binding did not install (it is an optional dependency)', () => {
    expect(dockerfile).toMatch(/npm ci[\s\S]*tfjs-node-gpu\/lib\/napi-v\*\/tfjs_binding\.node[\s\S]*libtensorflow\.so/);
    expect(pkg.optionalDependencies['@tensorflow/tfjs-node-gpu']).toBe(pkg.dependencies['@tensorflow/tfjs']);
  });

  it('serves through the same runtime and micro-batcher as the api', () => {
    const worker = readFileSync(path.join(ROOT, 'apps/worker/src/main.ts'), 'utf8');
    expect(worker).toMatch(/import \{ InferenceRuntime \} from '@app\/inference'/);
    expect(worker).toMatch(/ctx\.get\(InferenceRuntime\)/);
  });
});

describe('backend selection, on whatever this machine has', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'backend-'));
  });
  afterAll(() => {
    resetBackendSelection();
    rmSync(dir, { recursive: true, force: true });
  });

  it('picks the best backend that loads and serves a batched prediction on it', async () => {
    resetBackendSelection();
    const runtime = new InferenceRuntime(inferenceConfigFromEnv({}));
    const backend = await runtime.init();
    const gpu = installed('@tensorflow/tfjs-node-gpu');
    const native = installed('@tensorflow/tfjs-node');
    process.stdout.write(
      `backend in use: ${backend} (tfjs-node-gpu installed: ${gpu}, tfjs-node installed: ${native})\n`,
    );
    expect(backend).toBe(gpu ? 'tfjs-node-gpu' : native ? 'tfjs-node' : 'wasm');

    const [iris] = await buildCatalog(dir);
    const spec = { id: `iris-${backend}`, artifactDir: iris.artifactDir, ...iris.version };
    const rows = [
      [5.1, 3.5, 1.4, 0.2],
      [5.9, 3.0, 4.2, 1.5],
      [6.7, 3.0, 5.2, 2.3],
    ];
    const results = await Promise.all(rows.map((row) => runtime.predict(spec, { features: [row] })));
    expect(
      results.map((r) => labelScores(iris.version.labels!, r.outputs.probabilities as number[][])[0][0].label),
    ).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(results.every((r) => r.batchSize === 3)).toBe(true);
    runtime.onModuleDestroy();
  });
});
