import { Logger } from '@nestjs/common';
import type { ReadinessService } from '@app/common';
import { remoteInferenceFromEnv } from './remote-inference.client';
import type { InferenceRuntime, PredictResult } from '../runtime/inference-runtime';
import type { InferenceInputs, ModelSpec } from '../signature/model-signature';

/**
 * Where a real-time prediction's model runs: this process's InferenceRuntime, or a worker's
 * internal port (RemoteInference). Same call either way, so PredictionService keeps quota,
 * usage and audit in the api and does not know which one it has.
 */
export interface InferenceExecutor {
  predict(spec: ModelSpec, inputs: InferenceInputs, options?: { timeoutMs?: number }): Promise<PredictResult>;
}

export const INFERENCE_EXECUTOR = Symbol('INFERENCE_EXECUTOR');

/** Chosen once at start: WORKER_URL (with WORKER_SHARED_SECRET) sends the model to a worker. */
export function inferenceExecutorFor(
  runtime: InferenceRuntime,
  readiness?: ReadinessService,
  env: NodeJS.ProcessEnv = process.env,
): InferenceExecutor {
  const remote = remoteInferenceFromEnv(env);
  new Logger('Inference').log(
    remote ? `real-time inference runs on the worker at ${env.WORKER_URL}` : 'real-time inference runs in this process',
  );
  // An unreachable worker would otherwise only show as failed predictions.
  if (remote) readiness?.register('worker', () => remote.ready());
  return remote ?? runtime;
}
