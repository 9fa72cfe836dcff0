import * as tf from '@tensorflow/tfjs';
import { BackendName, selectBackend } from '../backend/tf-backend';
import { BatchTiming, MicroBatcher } from '../batching/micro-batcher';
import { ModelCache, ModelCacheStats } from '../cache/model-cache';
import { InferenceError, invalidInput, InferenceErrorCode } from '../inference.error';
import { decodeInstances } from '../image/image-codec';
import { asImageError, checkImage } from '../image/image-decoder';
import { ImageDecodePool } from '../image/image-pool';
import { InferenceInputs, ModelSpec, ValidatedInputs, ValidationLimits } from '../signature/model-signature';
import { checkInputs } from '../signature/check-inputs';
import { FastInputs } from '../signature/fast-inputs';
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

/** A request whose rows are already checked or ready: it writes them into the batch itself. */
abstract class RowsRequest {
  abstract readonly key: string;
  abstract readonly instances: number;
  abstract readonly instanceShapes: number[][];
  abstract write(batch: TensorBatch, offset: number): void;
}

/** A warm request off the fast path: checked, its values written (and checked) into the batch. */
class PlannedRequest extends RowsRequest {
  readonly key: string;
  readonly instances: number;
  readonly instanceShapes: number[][];

  constructor(private readonly plan: InputPlan) {
    super();
    this.key = plan.key;
    this.instances = plan.instances;
    this.instanceShapes = plan.inputs.map((p) => p.instanceShape);
  }

  write(batch: TensorBatch, offset: number): void {
    writeInputs(this.plan, batch.data, offset);
  }
}

/** Inputs already in typed arrays (validated before a cold load, or decoded images): copied in. */
class ReadyRequest extends RowsRequest {
  readonly key: string;
  readonly instances: number;
  readonly instanceShapes: number[][];
  private readonly names: string[];

  constructor(
    spec: ModelSpec,
    private readonly inputs: ValidatedInputs,
  ) {
    super();
    this.names = spec.inputs.map((s) => s.name);
    this.instanceShapes = this.names.map((n) => inputs.tensors[n].instanceShape);
    this.key = this.names.map((n, i) => `${n}:${this.instanceShapes[i].join('x')}|`).join('');
    this.instances = inputs.instances;
  }

  write(batch: TensorBatch, offset: number): void {
    this.names.forEach((n, i) => {
      const t = this.inputs.tensors[n];
      batch.data[i].set(t.data, offset * (t.data.length / this.instances));
    });
  }
}

/** What a lane's batcher takes: raw inputs on the fast path, else a request that writes itself. */
type LaneInput = InferenceInputs | RowsRequest;

/** One model version's batcher, and its fast input path when its instance shapes are fixed. */
interface Lane {
  spec: ModelSpec;
  fast?: FastInputs;
  /** A full-size batch whose run is over, kept for the next one (fixed shapes only). */
  spare?: TensorBatch;
  batcher: MicroBatcher<TensorBatch, LaneInput, BatchOutputs, PredictResult>;
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
  private readonly lanes = new Map<string, Lane>();
  /** Per image model version, its square input size (known once it has loaded). */
  private readonly imageSizes = new Map<string, number>();
  private decoders?: ImageDecodePool;
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

  /** Nest lifecycle hook: frees every loaded model and stops the image decode threads. */
  onModuleDestroy(): void {
    this.cache.evict();
    void this.decoders?.close();
    this.decoders = undefined;
  }

  /**
   * Validates, batches with concurrent requests for the same version, and runs the model. A warm
   * request for a model with fixed instance shapes takes the fast path: no await, no per-request
   * objects besides its promise and its result; its values are checked as they are written into
   * the batch.
   */
  predict(spec: ModelSpec, inputs: InferenceInputs, options?: { timeoutMs?: number }): Promise<PredictResult> {
    const timeoutMs = options?.timeoutMs ?? this.config.timeoutMs;
    if (this.backend !== undefined && spec.preprocess === undefined && !spec.tabular && this.cache.has(spec.id)) {
      const lane = this.laneFor(spec);
      const n = lane.fast ? lane.fast.count(inputs) : 0;
      if (n > 0) return lane.batcher.submit('', n, inputs, timeoutMs);
      try {
        // Warm: shapes and limits checked here, values as they are written into the batch.
        const request = new PlannedRequest(planInputs(spec.inputs, inputs, this.limitsFor(spec)));
        return lane.batcher.submit(lane.fast ? '' : request.key, request.instances, request, timeoutMs);
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return this.predictCold(spec, inputs, timeoutMs);
  }

  private async predictCold(spec: ModelSpec, inputs: InferenceInputs, timeoutMs: number): Promise<PredictResult> {
    if (!this.backend) await this.init();
    let request: RowsRequest;
    // A trained version's model takes the encoded columns: that is the spec its batches run.
    const runSpec = spec.tabular ? encodedSpec(spec, spec.tabular) : spec;
    if (spec.preprocess === 'image') {
      request = new ReadyRequest(spec, await this.imageInputs(spec, inputs));
    } else if (spec.tabular) {
      const encoded = this.validate(spec, inputs);
      if (!this.cache.has(spec.id)) await this.cache.use(spec, () => undefined);
      request = new ReadyRequest(runSpec, encoded);
    } else if (this.cache.has(spec.id)) {
      // The backend was selected by this call: the warm path takes it from here.
      return this.predict(spec, inputs, { timeoutMs });
    } else {
      // Cold: reject bad input before a model is loaded for it; the load is not in the timeout.
      const validated = validateInputs(spec.inputs, inputs, this.limitsFor(spec));
      await this.cache.use(spec, () => undefined);
      request = new ReadyRequest(spec, validated);
    }
    const lane = this.laneFor(runSpec);
    return lane.batcher.submit(lane.fast ? '' : request.key, request.instances, request, timeoutMs);
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
    const limits = this.config.image;
    let size = this.cache.has(spec.id) ? this.imageSizes.get(spec.id) : undefined;
    if (size === undefined) {
      // Cold: the checks that need no decoding run before the model loads for this request.
      for (const item of list) checkImage(item, limits);
      size = await this.cache.use(spec, ({ model }) => (model.inputs[0].shape as Array<number | null>)[1] ?? 224);
      this.imageSizes.set(spec.id, size);
    }
    let data: Float32Array;
    try {
      data =
        this.config.imageWorkers > 0
          ? await (this.decoders ??= new ImageDecodePool(this.config.imageWorkers)).decode(list, size, limits)
          : decodeInstances(list, size, limits);
    } catch (e) {
      throw asImageError(e);
    }
    return { instances: list.length, tensors: { [spec.inputs[0].name]: { data, instanceShape: [size, size, 3] } } };
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

  private laneFor(spec: ModelSpec): Lane {
    const known = this.lanes.get(spec.id);
    if (known) return known;
    const fast = FastInputs.for(spec.inputs, this.limitsFor(spec));
    const maxBatchSize = spec.batching?.maxBatchSize ?? this.config.maxBatchSize;
    const lane: Lane = {
      spec,
      fast,
      batcher: new MicroBatcher<TensorBatch, LaneInput, BatchOutputs, PredictResult>({
        maxBatchSize,
        maxDelayMs: spec.batching?.maxDelayMs ?? this.config.maxDelayMs,
        maxQueuedInstances: this.config.maxQueuedInstances,
        open: (capacity, first) => {
          const shapes = first instanceof RowsRequest ? first.instanceShapes : fast!.instanceShapes;
          const spare = lane.spare;
          lane.spare = undefined;
          // A full-size batch of the same shapes as the last one: reuse that one's storage.
          if (spare && spare.capacity === capacity && sameShapes(spare.instanceShapes, shapes)) return spare;
          return openBatch(spec, shapes, capacity);
        },
        release: (batch, outputs) => {
          // Results are views of the outputs: never reuse inputs that an output may share (cpu backend).
          const shared = outputs?.data.some((o) => batch.data.some((d) => d.buffer === o.buffer)) ?? true;
          if (!shared && batch.capacity === maxBatchSize) lane.spare = batch;
        },
        write: (batch, offset, input) =>
          input instanceof RowsRequest ? input.write(batch, offset) : fast!.write(input, batch.data, offset),
        // The model is taken from the cache per batch: a version reloaded meanwhile is simply used.
        execute: (batch, size) => this.cache.use(spec, ({ model }) => executeBatch(model, spec, batch, size)),
        settle: (outputs, offset, instances, enqueuedAt, run) =>
          new BatchedResult(spec, outputs, offset, instances, enqueuedAt, run),
      }),
    };
    this.lanes.set(spec.id, lane);
    return lane;
  }
}

function sameShapes(a: number[][], b: number[][]): boolean {
  return (
    a.length === b.length && a.every((dims, i) => dims.length === b[i].length && dims.every((d, j) => d === b[i][j]))
  );
}
