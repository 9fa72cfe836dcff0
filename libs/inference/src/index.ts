/**
 * @app/inference: the TF.js inference runtime (no database).
 *
 * - `InferenceModule` provides `InferenceRuntime`:
 *     `init(): Promise<BackendName>` picks the backend (TFJS_BACKEND forces one);
 *     `backendName` names it for /readyz and /metrics;
 *     `predict(spec: ModelSpec, inputs, { timeoutMs? }): Promise<PredictResult>` validates,
 *       micro-batches and runs one model version; `memory()`; `evict(id?)`.
 * - `buildCatalog(dir): Promise<CatalogEntry[]>` builds the built-in models (iris,
 *   nsfw-mobilenet-v2) under dir when missing and returns what the registry stores.
 * - `ModelSpec.tabular`: a version trained on the platform takes raw columns; the runtime encodes
 *   them with the learned preprocessing (`encodeTabular`, also what training fits on).
 * - `validateInputs` checks inputs against a signature (used by predict; exported for upload checks).
 * - Errors are `InferenceError` (an AppError): `inferenceCode` is the precise reason,
 *   `contractCode` the public code.
 */
export { InferenceModule } from './inference.module';
export { InferenceRuntime, labelScores } from './runtime/inference-runtime';
export type { LabelledScore, PredictResult, RuntimeMemory } from './runtime/inference-runtime';
export type { NestedNumbers, OutputValues } from './runtime/batch-executor';
export { INFERENCE_CONFIG, inferenceConfigFromEnv, inferenceConfigSchema } from './runtime/inference-config';
export type { InferenceConfig } from './runtime/inference-config';
export { BACKEND_PREFERENCE } from './backend/tf-backend';
export type { BackendName } from './backend/tf-backend';
export type { BatchTiming } from './batching/micro-batcher';
export type { ModelCacheStats } from './cache/model-cache';
export { InferenceError, InferenceErrorCode, invalidInput } from './inference.error';
export { OIP_DATATYPES } from './signature/model-signature';
export type {
  BatchingOptions,
  InferenceInputs,
  InputValue,
  ModelFormat,
  ModelSpec,
  OipDatatype,
  TensorSignature,
  ValidationLimits,
} from './signature/model-signature';
export { validateInputs } from './signature/signature-validator';
export { checkInputs } from './signature/check-inputs';
export { TABULAR_FEATURES, encodeTabular, tabularWidth, tokenize } from './tabular/tabular-preprocessing';
export type { Cell, TabularColumn, TabularPreprocessing } from './tabular/tabular-preprocessing';
export { FileSystemLoader, FileSystemSaver } from './io/file-system-io';
export { digestsOf, digestsOfDir, sha256Of } from './io/artifact-integrity';
export type { ArtifactDigest } from './io/artifact-integrity';
export { buildCatalog } from './catalog/build-catalog';
export type { CatalogEntry, CatalogVersion } from './catalog/catalog-entry';
export { IRIS_LABELS } from './catalog/iris-catalog.builder';
export { NSFW_MODEL_NAME } from './catalog/nsfw-catalog.builder';
export {
  RemoteInference,
  remoteInferenceFromEnv,
  REMOTE_PREDICT_PATH,
  WORKER_SECRET_HEADER,
} from './executor/remote-inference.client';
export type { RemoteModel, RemotePredictRequest } from './executor/remote-inference.client';
export { INFERENCE_EXECUTOR, inferenceExecutorFor } from './executor/inference-executor';
export type { InferenceExecutor } from './executor/inference-executor';
export { InferenceBootstrap } from './runtime/inference-bootstrap';
