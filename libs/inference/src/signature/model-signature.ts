/** Open Inference Protocol tensor datatypes (KServe v2 / Triton). */
export type OipDatatype =
  | 'BOOL'
  | 'UINT8'
  | 'UINT16'
  | 'UINT32'
  | 'UINT64'
  | 'INT8'
  | 'INT16'
  | 'INT32'
  | 'INT64'
  | 'FP16'
  | 'FP32'
  | 'FP64'
  | 'BYTES';

export const OIP_DATATYPES: readonly OipDatatype[] = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
];

/** One declared input or output. `shape[0]` is -1: the batch (instance) dimension. */
export interface TensorSignature {
  name: string;
  datatype: OipDatatype;
  shape: number[];
}

export type ModelFormat = 'layers' | 'graph';

export interface BatchingOptions {
  /** Most instances stacked into one model call. */
  maxBatchSize: number;
  /** Longest a request waits for others to join its batch (TF Serving's batch_timeout_micros). */
  maxDelayMs: number;
  /**
   * Most instances one request may carry (Triton's max_batch_size), still bounded by the element
   * limit; default INFERENCE_MAX_INSTANCES.
   */
  maxInstances: number;
}

import type { TabularPreprocessing } from '../tabular/tabular-preprocessing';

/** Everything the runtime needs to serve one immutable model version. */
export interface ModelSpec {
  /** Unique per model version (the cache and batcher key). */
  id: string;
  /** Folder holding model.json and its weight shards (in this process). */
  artifactDir: string;
  /**
   * The version's artifact URI (store or `catalog://`), from which any process fetches the same
   * files: what is sent to a worker, never artifactDir.
   */
  artifactUri?: string;
  format: ModelFormat;
  inputs: TensorSignature[];
  outputs: TensorSignature[];
  /** 'image': the single BYTES input holds base64 PNG/JPEG, decoded and resized for the model. */
  preprocess?: 'image';
  /** A version trained on the platform: raw columns in, encoded by this before the model runs. */
  tabular?: TabularPreprocessing;
  /** Class names for the first output's last dimension; adds labelled scores to results. */
  labels?: string[];
  batching?: Partial<BatchingOptions>;
  /** The SHA-256 of every artifact file, recorded at publish: checked as the files are read. */
  files?: { path: string; sha256: string }[];
}

/** Limits applied before anything reaches TF.js. */
export interface ValidationLimits {
  maxInstances: number;
  maxElements: number;
}

/** A value sent for one input: nested arrays with the instances first, or OIP flat data. */
export type InputValue = unknown[] | { shape: number[]; data: unknown[] } | string;
export type InferenceInputs = Record<string, InputValue>;

/** Inputs after validation: flat typed data per input, `instances` rows each. */
export interface ValidatedInputs {
  instances: number;
  tensors: Record<string, { data: Float32Array | Int32Array | Uint8Array; instanceShape: number[] }>;
}
