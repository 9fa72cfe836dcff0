import { checkInputs, InferenceInputs, labelScores, ModelSpec, ValidationLimits } from '@app/inference';
import type { PredictResult } from '@app/inference';
import { JobError, JobErrorReason } from './job.error';

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * One instance is what TF Serving's `instances` holds: for a single-input model the value of
 * that input for one example (e.g. `[5.1, 3.5, 1.4, 0.2]` or a base64 image), or an object
 * with a value per input name (`{ "features": [...] }`). Several instances stack into one
 * batched request: `{ features: [row1, row2, ...] }`.
 */
export function stackInstances(spec: ModelSpec, instances: unknown[]): InferenceInputs {
  const names = spec.inputs.map((i) => i.name);
  const stacked: Record<string, unknown[]> = Object.fromEntries(names.map((n) => [n, []]));
  instances.forEach((instance, index) => {
    if (isRecord(instance) && names.every((n) => n in instance)) {
      const extra = Object.keys(instance).filter((k) => !names.includes(k));
      if (extra.length) throw invalidInstance(index, `unknown input(s): ${extra.join(', ')}`, { expected: names });
      for (const n of names) stacked[n].push(instance[n]);
    } else if (names.length === 1 && !isRecord(instance)) {
      stacked[names[0]].push(instance);
    } else {
      throw invalidInstance(index, `an instance must be an object with the inputs ${names.join(', ')}`, {
        expected: names,
      });
    }
  });
  return stacked as InferenceInputs;
}

/** Checks every instance against the model's signature before the job is accepted. */
export function validateInstances(spec: ModelSpec, instances: unknown[], limits: ValidationLimits): void {
  instances.forEach((instance, index) => {
    const inputs = stackInstances(spec, [instance]);
    if (spec.preprocess === 'image') {
      const value = Object.values(inputs)[0] as unknown[];
      if (typeof value[0] !== 'string' || !value[0])
        throw invalidInstance(index, 'an image instance must be a base64 PNG or JPEG string');
      return;
    }
    try {
      checkInputs(spec, inputs, { ...limits, maxInstances: Math.max(1, limits.maxInstances) });
    } catch (e) {
      throw invalidInstance(index, (e as Error).message, (e as { details?: Record<string, unknown> }).details);
    }
  });
}

/** Splits a batched result back into one output object per instance. */
export function unstackOutputs(
  result: PredictResult,
  spec: Pick<ModelSpec, 'labels' | 'outputs'>,
): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = Array.from({ length: result.instances }, () => ({}));
  for (const [name, values] of Object.entries(result.outputs)) values.forEach((v, i) => (rows[i][name] = v));
  if (spec.labels?.length) {
    labelScores(spec.labels, result.outputs[spec.outputs[0].name] as number[][]).forEach(
      (scores, i) => (rows[i].labelled = scores),
    );
  }
  return rows;
}

function invalidInstance(index: number, message: string, details: Record<string, unknown> = {}): JobError {
  return JobError.invalid(JobErrorReason.INVALID_INSTANCE, `instance ${index}: ${message}`, {
    ...details,
    field: 'instances',
    index,
  });
}
