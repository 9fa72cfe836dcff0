import * as tf from '@tensorflow/tfjs';
import { LoadedModel } from '../cache/model-cache';
import { ModelSpec, ValidatedInputs } from '../signature/model-signature';
import { tfDtypeOf } from '../signature/signature-validator';

/** Nested number arrays, instances first: number[][] for a [-1, k] output. */
export type NestedNumbers = number | NestedNumbers[];
export type OutputValues = Record<string, NestedNumbers[]>;

type Flat = Float32Array | Int32Array | Uint8Array;

function concat(parts: Flat[]): Flat {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new (parts[0].constructor as { new (n: number): Flat })(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function nest(flat: ArrayLike<number>, offset: number, dims: number[]): NestedNumbers[] {
  const [first, ...rest] = dims;
  const stride = rest.reduce((a, b) => a * b, 1);
  const out: NestedNumbers[] = new Array(first);
  for (let i = 0; i < first; i++) {
    out[i] = rest.length === 0 ? flat[offset + i] : nest(flat, offset + i * stride, rest);
  }
  return out;
}

/**
 * Runs one micro-batch: stacks each input across requests along the batch dimension, calls the
 * model once, and splits every output back into per-request rows. All tensors are disposed.
 */
export async function executeBatch(model: LoadedModel, spec: ModelSpec, requests: ValidatedInputs[]): Promise<OutputValues[]> {
  const batch = requests.reduce((n, r) => n + r.instances, 0);
  const outputs = tf.tidy(() => {
    const feeds = spec.inputs.map((sig) => {
      const instanceShape = requests[0].tensors[sig.name].instanceShape;
      const data = concat(requests.map((r) => r.tensors[sig.name].data));
      return tf.tensor(data, [batch, ...instanceShape], tfDtypeOf(sig.datatype === 'BYTES' ? 'FP32' : sig.datatype));
    });
    const result = model.predict(feeds.length === 1 ? feeds[0] : feeds);
    return Array.isArray(result) ? result : result instanceof tf.Tensor ? [result] : Object.values(result);
  });
  try {
    const values = await Promise.all(outputs.map((t) => t.data()));
    const results: OutputValues[] = requests.map(() => ({}));
    spec.outputs.forEach((sig, o) => {
      const [, ...rest] = outputs[o].shape;
      const stride = rest.reduce((a, b) => a * b, 1);
      let row = 0;
      requests.forEach((r, i) => {
        results[i][sig.name] = nest(values[o] as ArrayLike<number>, row * stride, [r.instances, ...rest]);
        row += r.instances;
      });
    });
    return results;
  } finally {
    tf.dispose(outputs);
  }
}

/** Batches stack only requests whose instance shapes agree (inputs may declare -1 dims). */
export function shapeKey(inputs: ValidatedInputs): string {
  return Object.entries(inputs.tensors).map(([name, t]) => `${name}:${t.instanceShape.join('x')}`).join('|');
}
