import { invalidInput, type InferenceInputs } from '@app/inference';
import type { PredictionResult } from '../prediction.types';

export interface TfServingRequest {
  signature_name?: unknown;
  instances?: unknown;
  inputs?: unknown;
}

/** TF Serving's binary convention: { "b64": "..." } stands for bytes (our images). */
const unwrap = (v: unknown): unknown =>
  v && typeof v === 'object' && !Array.isArray(v) && typeof (v as { b64?: unknown }).b64 === 'string'
    ? (v as { b64: string }).b64
    : v;

/**
 * TF Serving predict body -> runtime inputs. Row format: `instances`, one entry per instance
 * (a value for single-input models, { input: value } otherwise). Columnar: `inputs`, a tensor
 * for single-input models or { input: tensor }.
 */
export function tfServingInputs(
  body: TfServingRequest,
  names: string[],
): { inputs: InferenceInputs; columnar: boolean } {
  if (!body || typeof body !== 'object')
    throw invalidInput('request body must be { "instances": [...] } or { "inputs": ... }');
  if ((body.instances === undefined) === (body.inputs === undefined))
    throw invalidInput('give exactly one of "instances" or "inputs"');
  if (body.instances !== undefined) {
    if (!Array.isArray(body.instances) || body.instances.length === 0)
      throw invalidInput('"instances" must be a non-empty list');
    const rows = body.instances as unknown[];
    const named =
      names.length > 1 || rows.every((r) => r && typeof r === 'object' && !Array.isArray(r) && !('b64' in r));
    if (!named) return { inputs: { [names[0]]: rows.map(unwrap) as unknown[] }, columnar: false };
    const inputs: InferenceInputs = {};
    for (const name of names) inputs[name] = rows.map((r) => unwrap((r as Record<string, unknown>)?.[name]));
    const extra = rows.flatMap((r) => Object.keys((r as object) ?? {})).filter((k) => !names.includes(k));
    if (extra.length) throw invalidInput(`unknown input(s): ${[...new Set(extra)].join(', ')}`);
    return { inputs, columnar: false };
  }
  const value = body.inputs;
  if (value && typeof value === 'object' && !Array.isArray(value) && !('b64' in value)) {
    const inputs = Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, Array.isArray(v) ? v.map(unwrap) : unwrap(v)]),
    ) as InferenceInputs;
    return { inputs, columnar: true };
  }
  if (names.length !== 1) throw invalidInput('"inputs" must name each input of this model');
  return {
    inputs: { [names[0]]: (Array.isArray(value) ? value.map(unwrap) : unwrap(value)) as unknown[] },
    columnar: true,
  };
}

/** Row format answers `predictions` (per instance); columnar answers `outputs`, as TF Serving does. */
export function tfServingResponse(result: PredictionResult, columnar: boolean): Record<string, unknown> {
  const names = result.outputSignature.map((s) => s.name);
  if (columnar) return { outputs: names.length === 1 ? result.outputs[names[0]] : result.outputs };
  if (names.length === 1) return { predictions: result.outputs[names[0]] };
  const predictions = Array.from({ length: result.instances }, (_, i) =>
    Object.fromEntries(names.map((n) => [n, (result.outputs[n] as unknown[])[i]])),
  );
  return { predictions };
}
