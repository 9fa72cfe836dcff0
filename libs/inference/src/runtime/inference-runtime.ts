import * as tf from '@tensorflow/tfjs';
import { BackendName, selectBackend } from '../backend/tf-backend';
import { BatchRequest, BatchTiming, MicroBatcher } from '../batching/micro-batcher';
import { ModelCache, ModelCacheStats } from '../cache/model-cache';
import { InferenceError, invalidInput, InferenceErrorCode } from '../inference.error';
import { decodeImage } from '../image/image-decoder';
import { imageToInstance } from '../image/image-preprocessor';
import { InferenceInputs, ModelSpec, ValidatedInputs, ValidationLimits } from '../signature/model-signature';
import { checkInputs } from '../signature/check-inputs';
import { InputPlan, planInputs, validateInputs, writeInputs } from '../signature/signature-validator';
import { encodedSpec } from '../tabular/tabular-inputs';
import { BatchOutputs, executeBatch, openBatch, OutputValues, TensorBatch } from './batch-executor';
import { BatchedResult } from './batched-result';
import { InferenceConfig, inferenceConfigFromEnv } from './inference-config';

export type { LabelledScore } from './batched-result';
export { labelScores } from './batched-result';

export interface PredictResult {
  /** Per declared output, one row per instance (nested to the output's shape). */
  outputs: OutputValues;
  instances: number;
  batchSize: number;
  computeShareMs: number;
  timing: BatchTiming;
}

export interface RuntimeMemory {
  backend: BackendName | undefined;
  numTensors: number;
  numBytes: number;
  cache: ModelCacheStats;
}

/** A warm request: checked, its values written (and checked) straight into the batch. */
class PlannedRequest implements BatchRequest<TensorBatch> {
  readonly key: string;
  readonly instances: number;

  constructor(
    private readonly spec: ModelSpec,
    private readonly plan: InputPlan,
  ) {
    this.key = plan.key;
    this.instances = plan.instances;
  }

  open(capacity: number): TensorBatch {
    return openBatch(
      this.spec,
      this.plan.inputs.map((p) => p.instanceShape),
      capacity,
    );
  }

  write(batch: TensorBatch, offset: number): void {
    writeInputs(this.plan, batch.data, offset);
  }
}

/** Inputs already in typed arrays (validated before a cold load, or decoded images): copied in. */
class ReadyRequest implements BatchRequest<TensorBatch> {
  readonly key: string;
  readonly instances: number;
  private readonly names: string[];

  constructor(
    private readonly spec: ModelSpec,
    private readonly inputs: ValidatedInputs,
  ) {
    this.names = spec.inputs.map((s) => s.name);
    this.key = this.names.map((n) => `${n}:${inputs.tensors[n].instanceShape.join('x')}|`).join('');
    this.instances = inputs.instances;
  }

  open(capacity: number): TensorBatch {
    return openBatch(
      this.spec,
      this.names.map((n) => this.inputs.tensors[n].instanceShape),
      capacity,
    );
  }

  write(batch: TensorBatch, offset: number): void {
    this.names.forEach((n, i) => {
      const t = this.inputs.tensors[n];
      batch.data[i].set(t.data, offset * (t.data.length / this.instances));
    });
  }
}

/**
 * The one entry point to TF.js: picks the backend, loads and caches model versions, validates
 * inputs against their signature and micro-batches concurrent requests per version.
 * Framework-free (Nest 12 is ESM-only, which Jest on Node 20 cannot load): InferenceModule
 * provides it through a factory, and Nest still calls onModuleDestroy on it.
 */
export class InferenceRuntime {
  readonly config: InferenceConfig;
  private readonly cache: ModelCache;
  private readonly batchers = new Map<string, MicroBatcher<TensorBatch, BatchOutputs>>();
  private backend?: BackendName;

  constructor(config?: InferenceConfig) {
    this.config = config ?? inferenceConfigFromEnv();
    this.cache = new ModelCache(this.config.cacheBytes);
  }

  /** Selects the TF.js backend (idempotent); a forced backend that cannot load throws. */
  async init(): Promise<BackendName> {
    this.backend ??= await selectBackend(this.config.backend);
    return this.backend;
  }

  /** The backend in use, for /readyz and /metrics; undefined before init(). */
  get backendName(): BackendName | undefined {
    return this.backend;
  }

  memory(): RuntimeMemory {
    const { numTensors, numBytes } = tf.memory();
    return { backend: this.backend, numTensors, numBytes, cache: this.cache.stats() };
  }

  /** Unloads one version (or all), e.g. when a version is deleted. */
  evict(id?: string): void {
    this.cache.evict(id);
  }

  /** Nest lifecycle hook: frees every loaded model. */
  onModuleDestroy(): void {
    this.cache.evict();
  }

  /** Validates, batches with concurrent requests for the same version, and runs the model. */
  async predict(
    spec: ModelSpec,
    inputs: InferenceInputs,
    options: { timeoutMs?: number } = {},
  ): Promise<PredictResult> {
    if (!this.backend) await this.init();
    const timeoutMs = options.timeoutMs ?? this.config.timeoutMs;
    let request: BatchRequest<TensorBatch>;
    // A trained version's model takes the encoded columns: that is the spec its batches run.
    const runSpec = spec.tabular ? encodedSpec(spec, spec.tabular) : spec;
    if (spec.preprocess === 'image') {
      request = new ReadyRequest(spec, await this.imageInputs(spec, inputs));
    } else if (spec.tabular) {
      const encoded = this.validate(spec, inputs);
      if (!this.cache.has(spec.id)) await this.cache.use(spec, () => undefined);
      request = new ReadyRequest(runSpec, encoded);
    } else if (this.cache.has(spec.id)) {
      // Warm: shapes and limits checked here, values as they are written into the batch.
      request = new PlannedRequest(spec, planInputs(spec.inputs, inputs, this.limitsFor(spec)));
    } else {
      // Cold: reject bad input before a model is loaded for it; the load is not in the timeout.
      const validated = validateInputs(spec.inputs, inputs, this.limitsFor(spec));
      await this.cache.use(spec, () => undefined);
      request = new ReadyRequest(spec, validated);
    }
    const { result, offset, timing } = await this.batcherFor(runSpec).submit(request, timeoutMs);
    return new BatchedResult(runSpec, result, offset, request.instances, timing);
  }

  /** The version's own instance cap (its batching.maxInstances), else the configured one. */
  limitsFor(spec: ModelSpec): ValidationLimits {
    return {
      maxInstances: spec.batching?.maxInstances ?? this.config.maxInstances,
      maxElements: this.config.maxElements,
    };
  }

  /** Checks inputs against the version: raw columns for a trained version, its tensors otherwise. */
  validate(spec: ModelSpec, inputs: InferenceInputs): ValidatedInputs {
    return checkInputs(spec, inputs, this.limitsFor(spec));
  }

  private async imageInputs(spec: ModelSpec, inputs: InferenceInputs): Promise<ValidatedInputs> {
    const list = this.imageList(spec, inputs);
    const images = list.map((item) => decodeImage(item, this.config.image));
    const size = await this.cache.use(spec, ({ model }) => (model.inputs[0].shape as Array<number | null>)[1] ?? 224);
    const data = new Float32Array(images.length * size * size * 3);
    images.forEach((img, i) => data.set(imageToInstance(img, size), i * size * size * 3));
    return { instances: images.length, tensors: { [spec.inputs[0].name]: { data, instanceShape: [size, size, 3] } } };
  }

  private imageList(spec: ModelSpec, inputs: InferenceInputs): unknown[] {
    if (spec.inputs.length !== 1)
      throw new InferenceError(InferenceErrorCode.MODEL_FAILED, `image model ${spec.id} must declare one input`);
    const name = spec.inputs[0].name;
    const unknown = Object.keys(inputs ?? {}).filter((k) => k !== name);
    if (unknown.length) throw invalidInput(`unknown input(s): ${unknown.join(', ')}`, { expected: [name] });
    const value = inputs?.[name];
    const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
    if (list.length === 0) throw invalidInput(`missing input "${name}": a base64 PNG/JPEG or a list of them`);
    const { maxInstances } = this.limitsFor(spec);
    if (list.length > maxInstances) {
      throw new InferenceError(InferenceErrorCode.TOO_MANY_INSTANCES, `at most ${maxInstances} instances per request`, {
        limit: maxInstances,
      });
    }
    return list;
  }

  private batcherFor(spec: ModelSpec): MicroBatcher<TensorBatch, BatchOutputs> {
    let batcher = this.batchers.get(spec.id);
    if (!batcher) {
      batcher = new MicroBatcher<TensorBatch, BatchOutputs>({
        maxBatchSize: spec.batching?.maxBatchSize ?? this.config.maxBatchSize,
        maxDelayMs: spec.batching?.maxDelayMs ?? this.config.maxDelayMs,
        maxQueuedInstances: this.config.maxQueuedInstances,
        // The model is taken from the cache per batch: a version reloaded meanwhile is simply used.
        execute: (batch, size) => this.cache.use(spec, ({ model }) => executeBatch(model, spec, batch, size)),
      });
      this.batchers.set(spec.id, batcher);
    }
    return batcher;
  }
}
