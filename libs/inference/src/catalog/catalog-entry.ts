import { BatchingOptions, ModelFormat, TensorSignature } from '../signature/model-signature';

/** What the registry stores for one built-in model version. */
export interface CatalogVersion {
  format: ModelFormat;
  inputs: TensorSignature[];
  outputs: TensorSignature[];
  labels?: string[];
  preprocess?: 'image';
  pricingUnit: 'instance';
  batching?: Partial<BatchingOptions>;
  /** e.g. { accuracy, testSize } for a model trained at build time. */
  metrics?: Record<string, number>;
  /** Where the weights came from (data set or npm package and version). */
  source: string;
}

export interface CatalogEntry {
  name: string;
  description: string;
  task: 'tabular-classification' | 'image-classification';
  version: CatalogVersion;
  /** Absolute folder holding model.json and its shards. */
  artifactDir: string;
}
