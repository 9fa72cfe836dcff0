import * as tf from '@tensorflow/tfjs';
import { InferenceError, InferenceErrorCode } from '../inference.error';
import { FileSystemLoader } from '../io/file-system-io';
import { ModelSpec } from '../signature/model-signature';
import { tfDtypeOf } from '../signature/signature-validator';

export type LoadedModel = tf.LayersModel | tf.GraphModel;

export interface CachedModel {
  spec: ModelSpec;
  model: LoadedModel;
  /** Bytes the weights take once loaded (quantized shards expand to float32). */
  bytes: number;
}

interface Entry extends CachedModel {
  /** Batches running on this model: an evicted model is disposed only when this is 0. */
  inUse: number;
  evicted: boolean;
}

export interface ModelCacheStats {
  models: number;
  bytes: number;
  budgetBytes: number;
  loads: number;
  evictions: number;
}

/**
 * Loaded models, least recently used first out when their weights exceed the byte budget.
 * Concurrent loads of one version share a single load; every model is warmed up (one dry run
 * on zeros) before its first request so that request does not pay for kernel set-up.
 */
export class ModelCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<Entry>>();
  private loads = 0;
  private evictions = 0;

  constructor(private readonly budgetBytes: number) {}

  /** Runs `fn` with the loaded model, keeping it from being disposed while `fn` runs. */
  async use<T>(spec: ModelSpec, fn: (cached: CachedModel) => Promise<T> | T): Promise<T> {
    const entry = await this.acquire(spec);
    entry.inUse++;
    try {
      return await fn(entry);
    } finally {
      entry.inUse--;
      if (entry.evicted && entry.inUse === 0) entry.model.dispose();
    }
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  stats(): ModelCacheStats {
    let bytes = 0;
    for (const e of this.entries.values()) bytes += e.bytes;
    return {
      models: this.entries.size,
      bytes,
      budgetBytes: this.budgetBytes,
      loads: this.loads,
      evictions: this.evictions,
    };
  }

  /** Drops one version (e.g. deleted) or all; disposal waits for running batches. */
  evict(id?: string): void {
    for (const key of id === undefined ? [...this.entries.keys()] : [id]) {
      const entry = this.entries.get(key);
      if (!entry) continue;
      this.entries.delete(key);
      entry.evicted = true;
      this.evictions++;
      if (entry.inUse === 0) entry.model.dispose();
    }
  }

  private async acquire(spec: ModelSpec): Promise<Entry> {
    const hit = this.entries.get(spec.id);
    if (hit) {
      // Map order is insertion order: re-inserting makes it the most recently used.
      this.entries.delete(spec.id);
      this.entries.set(spec.id, hit);
      return hit;
    }
    let pending = this.loading.get(spec.id);
    if (!pending) {
      pending = this.load(spec).finally(() => this.loading.delete(spec.id));
      this.loading.set(spec.id, pending);
    }
    return pending;
  }

  private async load(spec: ModelSpec): Promise<Entry> {
    const loader = new FileSystemLoader(spec.artifactDir, spec.files);
    let model: LoadedModel;
    try {
      model = spec.format === 'graph' ? await tf.loadGraphModel(loader) : await tf.loadLayersModel(loader);
    } catch (e) {
      if (e instanceof InferenceError) throw e;
      throw new InferenceError(
        InferenceErrorCode.MODEL_LOAD_FAILED,
        `model ${spec.id} could not be loaded`,
        undefined,
        e,
      );
    }
    try {
      await warmUp(model, spec);
    } catch (e) {
      model.dispose();
      throw new InferenceError(
        InferenceErrorCode.MODEL_LOAD_FAILED,
        `model ${spec.id} failed its warm-up run`,
        undefined,
        e,
      );
    }
    this.loads++;
    const entry: Entry = { spec, model, bytes: weightBytesOf(model), inUse: 0, evicted: false };
    this.entries.set(spec.id, entry);
    this.enforceBudget(spec.id);
    return entry;
  }

  private enforceBudget(keep: string): void {
    let total = this.stats().bytes;
    for (const [id, entry] of this.entries) {
      if (total <= this.budgetBytes) break;
      if (id === keep) continue; // a model larger than the budget still serves, alone
      this.evict(id);
      total -= entry.bytes;
    }
  }
}

function weightBytesOf(model: LoadedModel): number {
  const tensors =
    model instanceof tf.GraphModel ? Object.values(model.weights).flat() : model.weights.map((w) => w.read());
  return tensors.reduce((sum, t) => sum + t.size * (t.dtype === 'bool' ? 1 : 4), 0);
}

/** One dry run on zeros of the model's own input shapes (batch 1). */
async function warmUp(model: LoadedModel, spec: ModelSpec): Promise<void> {
  const outputs = tf.tidy(() => {
    const feeds = model.inputs.map((input, i) => {
      const shape = (input.shape as Array<number | null>).map((d, j) => (j === 0 || d === null || d < 0 ? 1 : d));
      const declared = spec.inputs[i];
      const dtype = declared && declared.datatype !== 'BYTES' ? tfDtypeOf(declared.datatype) : 'float32';
      return tf.zeros(shape, dtype);
    });
    const out = model.predict(feeds.length === 1 ? feeds[0] : feeds);
    return Array.isArray(out) ? out : out instanceof tf.Tensor ? [out] : Object.values(out);
  });
  await Promise.all(outputs.map((t) => t.data()));
  tf.dispose(outputs);
}
