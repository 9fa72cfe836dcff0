import type { BatchingOptions, ModelFormat, ModelSpec, TabularPreprocessing, TensorSignature } from '@app/inference';

/** The stored columns of a ModelVersion that the runtime needs. */
export interface VersionRow {
  id: string;
  format: string;
  inputs: unknown;
  outputs: unknown;
  preprocess: string | null;
  batching: unknown;
  /** [{ path, sha256, sizeBytes }]; null on rows published before digests were recorded. */
  files?: unknown;
  preprocessing?: unknown;
  /** Where the artifact is kept (a store or catalog URI): what a worker is sent to fetch it by. */
  artifactUri?: string;
}

/** Declared outputs may carry class labels (stored with the signature, as the catalog does). */
type StoredSignature = TensorSignature & { labels?: string[] };

/** Builds the runtime's ModelSpec from a version row and the local folder of its artifact. */
export function versionSpec(row: VersionRow, artifactDir: string): ModelSpec {
  const outputs = row.outputs as StoredSignature[];
  const labels = outputs[0]?.labels;
  return {
    id: row.id,
    artifactDir,
    artifactUri: row.artifactUri,
    format: row.format as ModelFormat,
    inputs: (row.inputs as StoredSignature[]).map(({ name, datatype, shape }) => ({ name, datatype, shape })),
    outputs: outputs.map(({ name, datatype, shape }) => ({ name, datatype, shape })),
    preprocess: row.preprocess === 'image' ? 'image' : undefined,
    tabular:
      row.preprocess === 'tabular' && row.preprocessing ? (row.preprocessing as TabularPreprocessing) : undefined,
    labels: labels?.length ? labels : undefined,
    batching: (row.batching as Partial<BatchingOptions> | null) ?? undefined,
    files: Array.isArray(row.files)
      ? (row.files as { path: string; sha256: string }[]).map(({ path, sha256 }) => ({ path, sha256 }))
      : undefined,
  };
}
