import * as tf from '@tensorflow/tfjs';
import { LoadedModel } from '../cache/model-cache';
import { ModelSpec } from '../signature/model-signature';
import { tfDtypeOf, TypedData, typedArrayFor } from '../signature/signature-validator';

/** Nested number arrays, instances first: number[][] for a [-1, k] output. */
export type NestedNumbers = number | NestedNumbers[];
export type OutputValues = Record<string, NestedNumbers[]>;

/** An open batch: one typed array per declared input (signature order) that requests write into. */
export interface TensorBatch {
  data: TypedData[];
  instanceShapes: number[][];
  capacity: number;
}

/** A batch's outputs, flat, in declared output order, with each output's row length and shape. */
export interface BatchOutputs {
  data: TypedData[];
  /** Per output: the shape of one instance's rows, and how many values that is. */
  instanceShapes: number[][];
  strides: number[];
}

const product = (dims: number[]): number => dims.reduce((a, b) => a * b, 1);

/** A new batch with room for `capacity` instances of these instance shapes. */
export function openBatch(spec: ModelSpec, instanceShapes: number[][], capacity: number): TensorBatch {
  return {
    data: spec.inputs.map((sig, i) =>
      typedArrayFor(sig.datatype === 'BYTES' ? 'FP32' : sig.datatype, capacity * product(instanceShapes[i])),
    ),
    instanceShapes,
    capacity,
  };
}

/**
 * Runs one micro-batch: the requests already wrote their rows into the batch's arrays, so the
 * model gets views of them (no stacking copy) and is called once; its outputs are read back once
 * (dataSync: every backend this runs on in Node reads synchronously, data() only adds promise
 * turns) and each request's rows are views into them. All tensors are disposed.
 */
export function executeBatch(model: LoadedModel, spec: ModelSpec, batch: TensorBatch, size: number): BatchOutputs {
  const outputs = tf.tidy(() => {
    const feeds = spec.inputs.map((sig, i) => {
      const shape = batch.instanceShapes[i];
      const view = batch.data[i].subarray(0, size * product(shape));
      return tf.tensor(view, [size, ...shape], tfDtypeOf(sig.datatype === 'BYTES' ? 'FP32' : sig.datatype));
    });
    const input = feeds.length === 1 ? feeds[0] : feeds;
    // One call for the whole batch: LayersModel.predict would split it into chunks of 32.
    const result = model instanceof tf.LayersModel ? model.predictOnBatch(input) : model.predict(input);
    return Array.isArray(result) ? result : result instanceof tf.Tensor ? [result] : Object.values(result);
  });
  try {
    const data = outputs.map((t) => t.dataSync()) as TypedData[];
    const instanceShapes = outputs.map((t) => t.shape.slice(1));
    return { data, instanceShapes, strides: instanceShapes.map(product) };
  } finally {
    tf.dispose(outputs);
  }
}

/** One request's rows of output `o`: a view into the batch's output, no copy. */
export function rowsOf(outputs: BatchOutputs, o: number, offset: number, instances: number): TypedData {
  const stride = outputs.strides[o];
  return outputs.data[o].subarray(offset * stride, (offset + instances) * stride);
}

/** Flat row-major values -> nested arrays, instances first (what JSON protocols send). */
export function nest(flat: ArrayLike<number>, offset: number, dims: number[]): NestedNumbers[] {
  const [first, ...rest] = dims;
  const stride = product(rest);
  const out: NestedNumbers[] = new Array(first);
  for (let i = 0; i < first; i++) {
    out[i] = rest.length === 0 ? flat[offset + i] : nest(flat, offset + i * stride, rest);
  }
  return out;
}
