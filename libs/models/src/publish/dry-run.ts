import { InferenceRuntime, ModelSpec } from '@app/inference';
import { ModelError, ModelErrorReason } from '../model.error';

/**
 * Runs the model once on zeros of each declared input (one instance) and checks that every
 * declared output comes back with its declared shape. The version is evicted afterwards.
 */
export async function dryRun(runtime: InferenceRuntime, spec: ModelSpec): Promise<void> {
  const inputs = Object.fromEntries(
    spec.inputs.map((sig) => {
      const shape = [1, ...sig.shape.slice(1)];
      return [sig.name, { shape, data: new Array(shape.reduce((a, b) => a * b, 1)).fill(0) }];
    }),
  );
  try {
    const result = await runtime.predict(spec, inputs);
    for (const sig of spec.outputs) {
      const got = shapeOf(result.outputs[sig.name]);
      const want = [1, ...sig.shape.slice(1)];
      if (got.join('x') !== want.join('x')) {
        throw new Error(
          `output "${sig.name}" has shape [${got.map((d, i) => (i === 0 ? -1 : d)).join(', ')}], declared [${sig.shape.join(', ')}]`,
        );
      }
    }
  } catch (e) {
    throw ModelError.invalid(
      ModelErrorReason.DRY_RUN_FAILED,
      `the model did not run on zeros of its declared inputs: ${(e as Error).message}`.slice(0, 500),
    );
  } finally {
    runtime.evict(spec.id);
  }
}

function shapeOf(value: unknown): number[] {
  const shape: number[] = [];
  let v = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  return shape;
}
