import { Connection, operation } from '../operation';

export interface TensorSpec {
  name: string;
  datatype: string;
  shape: number[];
  /** Class names along the last dimension, for classifiers. */
  labels?: string[] | null;
}

export interface ModelSummary {
  name: string;
  description: string;
  task: string;
}

export interface ModelVersion {
  version: number;
  status: string;
  createdAt: string;
  /** Evaluation metrics stored with the version, e.g. { "accuracy": 0.97 }. */
  metrics: Record<string, unknown> | null;
  format: string;
  pricingUnit: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** A version trained here: the raw columns it takes, one input each. */
  featureColumns: string[] | null;
  /** A version trained here: the column encoding the server applies before the model. */
  preprocessing: TabularPreprocessingJson | null;
}

/** The server's column encoding of a trained tabular version (libs/inference/src/tabular). */
export interface TabularPreprocessingJson {
  columns: (
    | { name: string; kind: 'number'; mean: number; std: number }
    | { name: string; kind: 'category'; categories: string[] }
    | { name: string; kind: 'text'; vocabulary: string[] }
  )[];
}

export interface ModelAlias {
  name: string;
  version: number;
}

export interface ModelDetail extends ModelSummary {
  /** true for the built-in catalog: read-only for tenants. */
  public: boolean;
  /** Whether modelVersionDownload hands out its versions. */
  downloadsEnabled: boolean;
  versions: ModelVersion[];
  aliases: ModelAlias[];
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

export const ModelsQuery = operation<{ models: Connection<ModelSummary> }, { first: number; after?: string | null }>(
  `query Models($first: Int, $after: String) { models(first: $first, after: $after) { edges { cursor node { name description task } } pageInfo { hasNextPage endCursor } totalCount } }`,
);

export const ModelQuery = operation<{ model: ModelDetail | null }, { name: string }>(
  `query Model($name: String!) { model(name: $name) { name description task public downloadsEnabled inputs { name datatype shape labels } outputs { name datatype shape labels } versions { version status createdAt metrics format pricingUnit featureColumns preprocessing inputs { name datatype shape labels } outputs { name datatype shape labels } } aliases { name version } } }`,
);

export const CreateModelMutation = operation<
  { createModel: ModelSummary },
  { input: { name: string; description?: string; task: string } }
>(`mutation CreateModel($input: CreateModelInput!) { createModel(input: $input) { name description task } }`);

export interface PublishModelVersionInput {
  model: string;
  /** layers (tf.LayersModel) or graph (tf.GraphModel) */
  format: string;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  pricingUnit?: string;
  /** model.json and its weight shards, base64. */
  files: { path: string; contentBase64: string }[];
}

export const PublishModelVersionMutation = operation<
  { publishModelVersion: ModelVersion },
  { input: PublishModelVersionInput }
>(
  `mutation PublishModelVersion($input: PublishModelVersionInput!) { publishModelVersion(input: $input) { version status createdAt metrics format pricingUnit } }`,
);

export const SetModelAliasMutation = operation<
  { setModelAlias: { name: string; aliases: ModelAlias[] } },
  { input: { model: string; alias: string; version: number } }
>(
  `mutation SetModelAlias($input: SetModelAliasInput!) { setModelAlias(input: $input) { name aliases { name version } } }`,
);

export interface ModelMonitoring {
  calls: number;
  errors: number;
  instances: number;
  meanBatchSize: number | null;
  latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  series: { at: string; calls: number; errors: number; p50Ms: number | null; p95Ms: number | null }[];
  drift: { feature: string; psi: number; status: 'OK' | 'WARN' | 'ALERT'; version: number | null; observed: number }[];
}

export const ModelMonitoringQuery = operation<
  { modelMonitoring: ModelMonitoring },
  { model: string; from: string; to: string }
>(`
  query ModelMonitoring($model: String!, $from: DateTime!, $to: DateTime!) {
    modelMonitoring(model: $model, from: $from, to: $to) {
      calls errors instances meanBatchSize
      latencyMs { p50 p95 p99 }
      series { at calls errors p50Ms p95Ms }
      drift { feature psi status version observed }
    }
  }`);

export interface ModelDownload {
  url: string;
  expiresAt: string;
  files: { path: string; sha256: string; sizeBytes: number }[];
}

export const ModelVersionDownloadQuery = operation<
  { modelVersionDownload: ModelDownload },
  { model: string; version: string }
>(
  `query ModelVersionDownload($model: String!, $version: String!) { modelVersionDownload(model: $model, version: $version) { url expiresAt files { path sha256 sizeBytes } } }`,
);
