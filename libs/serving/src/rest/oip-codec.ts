import { invalidInput, type InferenceInputs, type TensorSignature } from '@app/inference';
import type { PredictionResult } from '../prediction.types';

export interface OipInferRequest {
  id?: unknown;
  inputs?: unknown;
  outputs?: unknown;
  parameters?: unknown;
}

interface OipTensor {
  name?: unknown;
  shape?: unknown;
  datatype?: unknown;
  data?: unknown;
}

/** Nested data is accepted too (as KServe does); the wire format is row-major flat. */
function flatten(data: unknown[]): unknown[] {
  return data.some(Array.isArray) ? (data.flat(Infinity) as unknown[]) : data;
}

/**
 * OIP v2 request -> runtime inputs. Datatypes must match the declared ones exactly (as Triton
 * requires); BYTES inputs (images) carry base64 strings, one per instance.
 */
export function oipInputs(body: OipInferRequest, declared: { name: string; datatype: string }[]): InferenceInputs {
  if (!body || typeof body !== 'object' || !Array.isArray(body.inputs) || body.inputs.length === 0) {
    throw invalidInput('request body must be { "inputs": [{ "name", "shape", "datatype", "data" }] }');
  }
  const inputs: InferenceInputs = {};
  for (const t of body.inputs as OipTensor[]) {
    if (!t || typeof t.name !== 'string') throw invalidInput('every input needs a name');
    if (!Array.isArray(t.shape) || !Array.isArray(t.data) || typeof t.datatype !== 'string') {
      throw invalidInput(`input "${t.name}" needs shape, datatype and data`, { input: t.name });
    }
    const sig = declared.find((d) => d.name === t.name);
    if (sig && sig.datatype !== t.datatype)
      throw invalidInput(`input "${t.name}" has datatype ${t.datatype}, expected ${sig.datatype}`, { input: t.name });
    if (t.name in inputs) throw invalidInput(`input "${t.name}" given twice`);
    const data = flatten(t.data);
    inputs[t.name] = t.datatype === 'BYTES' ? (data as string[]) : { shape: t.shape as number[], data };
  }
  return inputs;
}

/** The outputs a request names (all when it names none); an unknown name is BAD_USER_INPUT. */
export function oipRequestedOutputs(requested: unknown, declared: TensorSignature[]): TensorSignature[] | undefined {
  if (!Array.isArray(requested) || requested.length === 0) return undefined;
  const names = requested.map((o) => (o as { name?: unknown })?.name);
  const unknown = names.filter((n) => !declared.some((s) => s.name === n));
  if (unknown.length) throw invalidInput(`unknown output(s): ${unknown.join(', ')}`);
  return declared.filter((s) => names.includes(s.name));
}

/**
 * Runtime outputs -> OIP tensors: shape with the instance count and flat row-major data. Rows
 * are one level deep for [-1, n] outputs (the common case): copied once, no generic flatten.
 */
export function oipOutputs(
  result: PredictionResult,
  requested?: TensorSignature[],
): { name: string; shape: number[]; datatype: string; data: unknown[] }[] {
  return (requested ?? result.outputSignature).map((sig) => {
    const rows = result.outputs[sig.name] as unknown[];
    return { name: sig.name, shape: shapeOf(rows), datatype: sig.datatype, data: flatRows(rows) };
  });
}

function flatRows(rows: unknown[]): unknown[] {
  const first = rows[0];
  if (!Array.isArray(first)) return rows;
  if (Array.isArray(first[0])) return rows.flat(Infinity) as unknown[];
  const out = new Array<unknown>(rows.length * first.length);
  let k = 0;
  for (const row of rows as unknown[][]) for (let j = 0; j < row.length; j++) out[k++] = row[j];
  out.length = k;
  return out;
}

function shapeOf(value: unknown): number[] {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  return shape;
}
