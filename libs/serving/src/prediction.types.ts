import type { TensorSignature } from '@app/inference';
import type { ResolvedModel } from '@app/models';
import type { RateLimitDecision } from '@app/quotas';
import type { Principal } from '@app/auth';

export interface PredictionContext {
  tenantId: string;
  apiKeyId: string | null;
  userId: string | null;
  /** Traces the request; never deduplicates nor changes billing. */
  requestId: string;
  actor: { type: 'user' | 'api_key' | 'system'; id: string | null };
  /** Real-time calls: admitted against the plan's rate and concurrency limits. Absent for jobs. */
  principal?: Principal;
  /** Told the admission's rate decision, admitted or refused (for the protocol's rate-limit headers). */
  onRate?: (decision: RateLimitDecision) => void;
  /** The client's Idempotency-Key (already validated), scoped per prediction of an operation. */
  idempotencyKey?: string;
}

export interface PredictionInput {
  model: string;
  /** A version number ("3") or an alias; default the `stable` alias. */
  version?: string | null;
  inputs: unknown;
}

export interface PredictionOptions {
  /** The version the caller already resolved (REST decodes its body against the signature first). */
  resolved?: ResolvedModel;
  /** Part of what an Idempotency-Key is bound to, beyond model, version and inputs (e.g. OIP's requested outputs). */
  requestExtras?: unknown;
}

export interface PredictionTiming {
  queueMs: number;
  batchSize: number;
  computeMs: number;
  totalMs: number;
}

export interface PredictionResult {
  /** Server-made, one per prediction: the usage record's key and the audit event's target. */
  id: string;
  /** Per declared output name: one row per instance. */
  outputs: Record<string, unknown>;
  model: string;
  version: number;
  usage: { units: number };
  timing: PredictionTiming;
  /** Classifiers: the version's class names, in the order of the first output's last dimension. */
  labels?: string[];
  instances: number;
  /** The version's declared outputs (for protocols that need shapes and datatypes). */
  outputSignature: TensorSignature[];
  modelId: string;
  versionId: string;
  /** True when this is the stored answer of an earlier call with the same Idempotency-Key. */
  replayed: boolean;
}
