import { InferenceError, InferenceErrorCode, invalidInput } from '../inference.error';
import { InputValue, OipDatatype, TensorSignature, ValidatedInputs, ValidationLimits } from './model-signature';

type Checker = (v: unknown) => boolean;
const intIn = (min: number, max: number): Checker => (v) => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const INT32_MAX = 2 ** 31 - 1;

// TF.js computes in float32/int32/bool, so wide integer types are accepted only in int32 range.
const ELEMENT_CHECKS: Record<Exclude<OipDatatype, 'BYTES'>, Checker> = {
  BOOL: (v) => typeof v === 'boolean' || v === 0 || v === 1,
  UINT8: intIn(0, 255),
  UINT16: intIn(0, 65535),
  UINT32: intIn(0, INT32_MAX),
  UINT64: intIn(0, INT32_MAX),
  INT8: intIn(-128, 127),
  INT16: intIn(-32768, 32767),
  INT32: intIn(-(2 ** 31), INT32_MAX),
  INT64: intIn(-(2 ** 31), INT32_MAX),
  FP16: (v) => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= 65504,
  FP32: (v) => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= 3.4028234663852886e38,
  FP64: (v) => typeof v === 'number' && Number.isFinite(v),
};

export function tfDtypeOf(datatype: OipDatatype): 'float32' | 'int32' | 'bool' {
  if (datatype.startsWith('FP')) return 'float32';
  if (datatype === 'BOOL') return 'bool';
  return 'int32';
}

const product = (dims: number[]): number => dims.reduce((a, b) => a * b, 1);

/** Shape of nested arrays, read along the first element of each level. */
function inferShape(value: unknown): number[] {
  const shape: number[] = [];
  let cursor = value;
  while (Array.isArray(cursor)) {
    shape.push(cursor.length);
    cursor = cursor[0];
  }
  return shape;
}

function checkShape(name: string, actual: number[], declared: number[]): void {
  const ok = actual.length === declared.length && declared.every((d, i) => d === -1 || d === actual[i]);
  if (!ok) {
    throw invalidInput(`input "${name}" has shape [${actual}], expected [${declared}] (-1: any)`, {
      input: name, shape: actual, expected: declared,
    });
  }
}

/** Flattens nested arrays, checking that every sibling has the same length (no ragged rows). */
function flattenNested(name: string, value: unknown[], shape: number[], check: Checker, out: unknown[]): void {
  const walk = (node: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (Array.isArray(node) || !check(node)) throw badElement(name, node);
      out.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) {
      throw invalidInput(`input "${name}" is ragged or has the wrong rank`, { input: name });
    }
    for (const child of node) walk(child, depth + 1);
  };
  walk(value, 0);
}

function badElement(name: string, v: unknown): InferenceError {
  const shown = typeof v === 'number' || typeof v === 'boolean' ? String(v) : typeof v;
  return invalidInput(`input "${name}" holds a value its datatype does not allow: ${shown}`, { input: name });
}

function toTyped(datatype: OipDatatype, values: unknown[]): Float32Array | Int32Array | Uint8Array {
  const dtype = tfDtypeOf(datatype);
  if (dtype === 'float32') return Float32Array.from(values as number[]);
  if (dtype === 'int32') return Int32Array.from(values as number[]);
  return Uint8Array.from(values as Array<number | boolean>, (v) => (v ? 1 : 0));
}

/**
 * Checks request inputs against a model version's declared signature and turns them into flat
 * typed arrays. Every input must be present, share the same instance count and fit the limits.
 */
export function validateInputs(
  signature: TensorSignature[],
  inputs: Record<string, InputValue>,
  limits: ValidationLimits,
): ValidatedInputs {
  if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs)) throw invalidInput('inputs must be an object keyed by input name');
  const declared = new Set(signature.map((s) => s.name));
  const unknown = Object.keys(inputs).filter((k) => !declared.has(k));
  if (unknown.length) throw invalidInput(`unknown input(s): ${unknown.join(', ')}`, { inputs: unknown, expected: [...declared] });

  const result: ValidatedInputs = { instances: -1, tensors: {} };
  let elements = 0;
  for (const sig of signature) {
    if (sig.datatype === 'BYTES') throw invalidInput(`input "${sig.name}" is BYTES: only image models take bytes`);
    const value = inputs[sig.name];
    if (value === undefined) throw invalidInput(`missing input "${sig.name}"`, { input: sig.name });
    const isFlat = value !== null && typeof value === 'object' && !Array.isArray(value);
    if (!isFlat && !Array.isArray(value)) throw invalidInput(`input "${sig.name}" must be an array of instances or { shape, data }`);
    const shape = isFlat ? flatShape(sig.name, value) : inferShape(value);
    checkShape(sig.name, shape, sig.shape);
    const instances = shape[0];
    if (instances === 0) throw invalidInput(`input "${sig.name}" has no instances`);
    if (result.instances !== -1 && instances !== result.instances) {
      throw invalidInput('all inputs must have the same number of instances', { input: sig.name });
    }
    result.instances = instances;
    if (instances > limits.maxInstances) {
      throw new InferenceError(InferenceErrorCode.TOO_MANY_INSTANCES, `at most ${limits.maxInstances} instances per request`, { limit: limits.maxInstances });
    }
    elements += product(shape);
    if (elements > limits.maxElements) {
      throw new InferenceError(InferenceErrorCode.TOO_MANY_ELEMENTS, `at most ${limits.maxElements} elements per request`, { limit: limits.maxElements });
    }
    const check = ELEMENT_CHECKS[sig.datatype];
    const flat: unknown[] = [];
    if (isFlat) {
      for (const v of value.data) {
        if (!check(v)) throw badElement(sig.name, v);
        flat.push(v);
      }
    } else {
      flattenNested(sig.name, value, shape, check, flat);
    }
    result.tensors[sig.name] = { data: toTyped(sig.datatype, flat), instanceShape: shape.slice(1) };
  }
  return result;
}

function flatShape(name: string, value: { shape?: unknown; data?: unknown }): number[] {
  const { shape, data } = value;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0) || !Array.isArray(data)) {
    throw invalidInput(`input "${name}" must be { shape: int[], data: [] }`, { input: name });
  }
  if (data.length !== product(shape as number[])) {
    throw invalidInput(`input "${name}" data has ${data.length} values, shape needs ${product(shape as number[])}`, { input: name });
  }
  return shape as number[];
}
