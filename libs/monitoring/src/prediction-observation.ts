/** What the prediction path reports about each call that reached a model version, answered or not. */
export interface PredictionObservation {
  tenantId: string;
  modelId: string;
  versionId: string;
  /** Model name and version number: labels on /metrics. */
  model: string;
  version: number;
  ok: boolean;
  latencyMs: number;
  /** Rows answered (0 for a failed call). */
  instances: number;
  batchSize: number;
  /** The call's inputs, for drift; read later, off the hot path, and never stored as such. */
  inputs?: unknown;
}
