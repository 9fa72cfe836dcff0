import * as tf from '@tensorflow/tfjs';
import { BackendName, selectBackend } from '../backend/tf-backend';
import { BatchTiming, MicroBatcher } from '../batching/micro-batcher';
import { LoadedModel, ModelCache, ModelCacheStats } from '../cache/model-cache';
import { InferenceError, invalidInput, InferenceErrorCode } from '../inference.error';
import { decodeImage, RgbaImage } from '../image/image-decoder';
import { imageToInstance } from '../image/image-preprocessor';
import { InferenceInputs, ModelSpec, ValidatedInputs, ValidationLimits } from '../signature/model-signature';
import { checkInputs } from '../signature/check-inputs';
import { encodedSpec } from '../tabular/tabular-inputs';
import { executeBatch, OutputValues, shapeKey } from './batch-executor';
import { InferenceConfig, inferenceConfigFromEnv } from './inference-config';

export interface LabelledScore {
  label: string;
  score: number;
}

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

interface BatchItem {
  model: LoadedModel;
  spec: ModelSpec;
  inputs: ValidatedInputs;
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
  private readonly batchers = new Map<string, MicroBatcher<BatchItem, OutputValues>>();
  private readonly modelIds = new WeakMap<LoadedModel, number>();
  private nextModelId = 1;
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
  async predict(spec: ModelSpec, inputs: InferenceInputs, options: { timeoutMs?: number } = {}): Promise<PredictResult> {
    await this.init();
    // Reject bad input before a model is loaded for it.
    const images = spec.preprocess === 'image' ? this.decodeImages(spec, inputs) : undefined;
    const validated = images ? undefined : this.validate(spec, inputs);
    // A trained version's model takes the encoded columns: that is the spec its batches run.
    const runSpec = spec.tabular ? encodedSpec(spec, spec.tabular) : spec;
    return this.cache.use(spec, async ({ model }) => {
      const ready = validated ?? this.imageInputs(spec, model, images!);
      const { output, timing } = await this.batcherFor(spec).submit(
        { model, spec: runSpec, inputs: ready }, ready.instances, options.timeoutMs ?? this.config.timeoutMs,
      );
      return {
        outputs: output,
        instances: ready.instances,
        batchSize: timing.batchSize,
        computeShareMs: timing.computeShareMs,
        timing,
      };
    });
  }

  /** The version's own instance cap (its batching.maxInstances), else the configured one. */
  limitsFor(spec: ModelSpec): ValidationLimits {
    return { maxInstances: spec.batching?.maxInstances ?? this.config.maxInstances, maxElements: this.config.maxElements };
  }

  /** Checks inputs against the version: raw columns for a trained version, its tensors otherwise. */
  validate(spec: ModelSpec, inputs: InferenceInputs): ValidatedInputs {
    return checkInputs(spec, inputs, this.limitsFor(spec));
  }

  private decodeImages(spec: ModelSpec, inputs: InferenceInputs): RgbaImage[] {
    if (spec.inputs.length !== 1) throw new InferenceError(InferenceErrorCode.MODEL_FAILED, `image model ${spec.id} must declare one input`);
    const name = spec.inputs[0].name;
    const unknown = Object.keys(inputs ?? {}).filter((k) => k !== name);
    if (unknown.length) throw invalidInput(`unknown input(s): ${unknown.join(', ')}`, { expected: [name] });
    const value = inputs?.[name];
    const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
    if (list.length === 0) throw invalidInput(`missing input "${name}": a base64 PNG/JPEG or a list of them`);
    const { maxInstances } = this.limitsFor(spec);
    if (list.length > maxInstances) {
      throw new InferenceError(InferenceErrorCode.TOO_MANY_INSTANCES, `at most ${maxInstances} instances per request`, { limit: maxInstances });
    }
    return list.map((item) => decodeImage(item, this.config.image));
  }

  private imageInputs(spec: ModelSpec, model: LoadedModel, images: RgbaImage[]): ValidatedInputs {
    const shape = model.inputs[0].shape as Array<number | null>;
    const size = shape[1] ?? 224;
    const data = new Float32Array(images.length * size * size * 3);
    images.forEach((img, i) => data.set(imageToInstance(img, size), i * size * size * 3));
    return { instances: images.length, tensors: { [spec.inputs[0].name]: { data, instanceShape: [size, size, 3] } } };
  }

  private batcherFor(spec: ModelSpec): MicroBatcher<BatchItem, OutputValues> {
    let batcher = this.batchers.get(spec.id);
    if (!batcher) {
      batcher = new MicroBatcher<BatchItem, OutputValues>({
        maxBatchSize: spec.batching?.maxBatchSize ?? this.config.maxBatchSize,
        maxDelayMs: spec.batching?.maxDelayMs ?? this.config.maxDelayMs,
        maxQueuedInstances: this.config.maxQueuedInstances,
        execute: (items) => executeBatch(items[0].model, items[0].spec, items.map((i) => i.inputs)),
        // A reloaded model is a new object: never stack requests bound to different copies.
        groupKey: (item) => `${this.modelId(item.model)}/${shapeKey(item.inputs)}`,
      });
      this.batchers.set(spec.id, batcher);
    }
    return batcher;
  }

  private modelId(model: LoadedModel): number {
    let id = this.modelIds.get(model);
    if (id === undefined) {
      id = this.nextModelId++;
      this.modelIds.set(model, id);
    }
    return id;
  }
}

/** Per instance, every class of the version's labels with its score, highest first. */
export function labelScores(labels: readonly string[], rows: number[][]): LabelledScore[][] {
  return rows.map((row) => row.map((score, i) => ({ label: labels[i] ?? String(i), score })).sort((a, b) => b.score - a.score));
}
