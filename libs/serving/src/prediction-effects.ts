import { AppError } from '@app/common';
import type { AuditEntry } from '@app/audit';
import type { ResolvedModel } from '@app/models';
import type { PredictionContext, PredictionResult } from './prediction.types';
import { safeSha256 } from './safe-hash';

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

function describe(model: ResolvedModel, inputs: unknown, status: string, latencyMs: number): Record<string, unknown> {
  return {
    model: model.modelName,
    version: model.version,
    inputSha256: safeSha256(inputs),
    status,
    latencyMs: round(latencyMs),
  };
}

/** The audit event of an answered prediction (hashes of inputs and outputs; the data only if the tenant opted in). */
export function succeededAudit(
  ctx: PredictionContext,
  model: ResolvedModel,
  inputs: unknown,
  result: PredictionResult,
  payload: boolean,
): AuditEntry {
  return {
    actor: ctx.actor,
    action: 'inference.predict',
    target: { type: 'model_version', id: model.versionId },
    requestId: ctx.requestId,
    metadata: {
      ...describe(model, inputs, 'succeeded', result.timing.totalMs),
      predictionId: result.id,
      outputSha256: safeSha256(result.outputs),
      units: result.usage.units,
      instances: result.instances,
      ...(payload ? { inputs, outputs: result.outputs } : {}),
    },
  };
}

/** The audit event of a prediction that answered no outputs: nothing billed. */
export function failedAudit(
  ctx: PredictionContext,
  model: ResolvedModel,
  inputs: unknown,
  error: unknown,
  latencyMs: number,
  id: string,
): AuditEntry {
  const e = error instanceof AppError ? error : undefined;
  return {
    actor: ctx.actor,
    action: 'inference.predict',
    target: { type: 'model_version', id: model.versionId },
    requestId: ctx.requestId,
    metadata: {
      ...describe(model, inputs, 'failed', latencyMs),
      predictionId: id,
      units: 0,
      error: { code: e?.code ?? 'INTERNAL', reason: e?.reason ?? null },
    },
  };
}

export { round };
