import type { LabelledScore, TensorSignature } from '@app/inference';

export interface PredictionContext {
  tenantId: string;
  apiKeyId: string | null;
  userId: string | null;
  requestId: string;
  actor: { type: 'user' | 'api_key' | 'system'; id: string | null };
  /** Async jobs: the job whose effect this is (usage idempotency key = jobId, not requestId). */
  jobId?: string | null;
  idempotencyKey?: string;
}

export interface PredictionInput {
  model: string;
  /** A version number ("3") or an alias; default the `stable` alias. */
  version?: string | null;
  inputs: unknown;
}

export interface PredictionTiming {
  queueMs: number;
  batchSize: number;
  computeMs: number;
  totalMs: number;
}

export interface PredictionResult {
  /** Per declared output name: one row per instance. */
  outputs: Record<string, unknown>;
  model: string;
  version: number;
  usage: { units: number };
  timing: PredictionTiming;
  /** For classifiers with labels: per instance, every class with its score, best first. */
  labelled?: LabelledScore[][];
  instances: number;
  /** The version's declared outputs (for protocols that need shapes and datatypes). */
  outputSignature: TensorSignature[];
  modelId: string;
  versionId: string;
}
