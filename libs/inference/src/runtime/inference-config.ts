import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { ImageLimits } from '../image/image-codec';

export interface InferenceConfig {
  /** TFJS_BACKEND: force one backend; unset picks the best that loads. */
  backend?: string;
  /** Defaults for models that declare no batching of their own. */
  maxBatchSize: number;
  maxDelayMs: number;
  /** Per-request limit on queueing + compute (not on a cold model load). */
  timeoutMs: number;
  /** Byte budget for loaded model weights (LRU beyond it). */
  cacheBytes: number;
  maxInstances: number;
  maxElements: number;
  /** Per model: instances allowed to wait before requests get OVERLOADED. */
  maxQueuedInstances: number;
  image: ImageLimits;
  /** Worker threads that decode images off the event loop; 0: decode on the event loop. */
  imageWorkers: number;
}

export const INFERENCE_CONFIG = Symbol('INFERENCE_CONFIG');

const nonNegative = z.coerce.number().min(0).optional();

/** The variables this library reads (the configuration contract checks infra against it). */
export const inferenceConfigSchema = z.object({
  TFJS_BACKEND: z.enum(['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu']).optional(),
  INFERENCE_MAX_BATCH_SIZE: nonNegative,
  INFERENCE_MAX_DELAY_MS: nonNegative,
  INFERENCE_TIMEOUT_MS: nonNegative,
  MODEL_CACHE_BYTES: nonNegative,
  INFERENCE_MAX_INSTANCES: nonNegative,
  INFERENCE_MAX_ELEMENTS: nonNegative,
  INFERENCE_MAX_QUEUED_INSTANCES: nonNegative,
  INFERENCE_MAX_IMAGE_BYTES: nonNegative,
  INFERENCE_MAX_IMAGE_MEGAPIXELS: nonNegative,
  INFERENCE_IMAGE_WORKERS: nonNegative,
});

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
}

/** Reads the INFERENCE_* / MODEL_CACHE_BYTES / TFJS_BACKEND variables, with defaults. */
export function inferenceConfigFromEnv(env: NodeJS.ProcessEnv = process.env): InferenceConfig {
  return {
    backend: env.TFJS_BACKEND || undefined,
    maxBatchSize: Math.max(1, positive(env, 'INFERENCE_MAX_BATCH_SIZE', 32)),
    maxDelayMs: positive(env, 'INFERENCE_MAX_DELAY_MS', 5),
    timeoutMs: positive(env, 'INFERENCE_TIMEOUT_MS', 30_000),
    cacheBytes: positive(env, 'MODEL_CACHE_BYTES', 512 * 1024 * 1024),
    maxInstances: Math.max(1, positive(env, 'INFERENCE_MAX_INSTANCES', 64)),
    maxElements: Math.max(1, positive(env, 'INFERENCE_MAX_ELEMENTS', 1_000_000)),
    maxQueuedInstances: Math.max(1, positive(env, 'INFERENCE_MAX_QUEUED_INSTANCES', 1024)),
    image: {
      maxBytes: positive(env, 'INFERENCE_MAX_IMAGE_BYTES', 8 * 1024 * 1024),
      maxMegapixels: positive(env, 'INFERENCE_MAX_IMAGE_MEGAPIXELS', 25),
    },
    // One core stays with the event loop and the model; at most 4 decoders by default.
    imageWorkers: Math.floor(
      positive(env, 'INFERENCE_IMAGE_WORKERS', Math.min(4, Math.max(1, availableParallelism() - 1))),
    ),
  };
}
