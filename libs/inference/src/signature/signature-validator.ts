import { InferenceError, InferenceErrorCode, invalidInput } from '../inference.error';
import { InputValue, OipDatatype, TensorSignature, ValidatedInputs, ValidationLimits } from './model-signature';

type Checker = (v: unknown) => boolean;
const intIn =
  (min: number, max: number): Checker =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
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

/** The check a value of this datatype must pass (TF.js's ranges). */
export function elementCheck(datatype: Exclude<OipDatatype, 'BYTES'>): Checker {
  return ELEMENT_CHECKS[datatype];
}

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
      input: name,
      shape: actual,
      expected: declared,
    });
  }
}

function badElement(name: string, v: unknown): InferenceError {
  const shown = typeof v === 'number' || typeof v === 'boolean' ? String(v) : typeof v;
  return invalidInput(`input "${name}" holds a value its datatype does not allow: ${shown}`, { input: name });
}

export type TypedData = Float32Array | Int32Array | Uint8Array;

/** Typed storage for `elements` values of a declared datatype (what TF.js computes in). */
export function typedArrayFor(datatype: OipDatatype, elements: number): TypedData {
  const dtype = tfDtypeOf(datatype);
  if (dtype === 'float32') return new Float32Array(elements);
  if (dtype === 'int32') return new Int32Array(elements);
  return new Uint8Array(elements);
}

/** One input whose shape and limits were checked; its values are checked as they are written. */
export interface PlannedInput {
  sig: TensorSignature;
  /** The request's value: nested instances, or OIP flat data. */
  value: unknown[];
  flat: boolean;
  shape: number[];
  instanceShape: number[];
}

/** A request's inputs, in signature order, checked for everything but their element values. */
export interface InputPlan {
  instances: number;
  inputs: PlannedInput[];
  /** Requests stack only when their instance shapes agree (inputs may declare -1 dims). */
  key: string;
}

/**
 * Checks request inputs against a model version's declared signature: every input present,
 * the same instance count, shapes and limits. Values are checked later, by writeInputs.
 */
export function planInputs(
  signature: TensorSignature[],
  inputs: Record<string, InputValue>,
  limits: ValidationLimits,
): InputPlan {
  if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs))
    throw invalidInput('inputs must be an object keyed by input name');
  for (const k in inputs) {
    if (!signature.some((s) => s.name === k)) {
      const unknown = Object.keys(inputs).filter((n) => !signature.some((s) => s.name === n));
      throw invalidInput(`unknown input(s): ${unknown.join(', ')}`, {
        inputs: unknown,
        expected: signature.map((s) => s.name),
      });
    }
  }
  const plan: InputPlan = { instances: -1, inputs: [], key: '' };
  let elements = 0;
  for (const sig of signature) {
    if (sig.datatype === 'BYTES') throw invalidInput(`input "${sig.name}" is BYTES: only image models take bytes`);
    const value = inputs[sig.name];
    if (value === undefined) throw invalidInput(`missing input "${sig.name}"`, { input: sig.name });
    const flat = value !== null && typeof value === 'object' && !Array.isArray(value);
    if (!flat && !Array.isArray(value))
      throw invalidInput(`input "${sig.name}" must be an array of instances or { shape, data }`);
    const shape = flat ? flatShape(sig.name, value) : inferShape(value);
    checkShape(sig.name, shape, sig.shape);
    const instances = shape[0];
    if (instances === 0) throw invalidInput(`input "${sig.name}" has no instances`);
    if (plan.instances !== -1 && instances !== plan.instances) {
      throw invalidInput('all inputs must have the same number of instances', { input: sig.name });
    }
    plan.instances = instances;
    if (instances > limits.maxInstances) {
      throw new InferenceError(
        InferenceErrorCode.TOO_MANY_INSTANCES,
        `at most ${limits.maxInstances} instances per request`,
        { limit: limits.maxInstances },
      );
    }
    elements += product(shape);
    if (elements > limits.maxElements) {
      throw new InferenceError(
        InferenceErrorCode.TOO_MANY_ELEMENTS,
        `at most ${limits.maxElements} elements per request`,
        { limit: limits.maxElements },
      );
    }
    const instanceShape = shape.slice(1);
    plan.inputs.push({
      sig,
      value: flat ? (value as { data: unknown[] }).data : (value as unknown[]),
      flat,
      shape,
      instanceShape,
    });
    plan.key += `${sig.name}:${instanceShape.join('x')}|`;
  }
  return plan;
}

/**
 * Checks every value of a planned request and writes it straight into `targets` (one typed
 * array per input, in signature order) from row `row` on. Throws on the first bad value; the
 * rows it wrote are then not counted by the caller (the batcher), so they are overwritten.
 */
export function writeInputs(plan: InputPlan, targets: TypedData[], row: number): void {
  for (let i = 0; i < plan.inputs.length; i++) {
    const input = plan.inputs[i];
    const target = targets[i];
    const stride = product(input.instanceShape);
    const check = ELEMENT_CHECKS[input.sig.datatype as Exclude<OipDatatype, 'BYTES'>];
    const bool = input.sig.datatype === 'BOOL';
    if (input.flat) {
      const data = input.value;
      let at = row * stride;
      for (let j = 0; j < data.length; j++) {
        const v = data[j];
        if (!check(v)) throw badElement(input.sig.name, v);
        target[at++] = bool ? (v ? 1 : 0) : (v as number);
      }
    } else {
      writeNested(input.sig.name, input.value, input.shape, 0, check, bool, target, row * stride);
    }
  }
}

/** Writes nested arrays depth-first, checking that siblings have the same length (no ragged rows). */
function writeNested(
  name: string,
  node: unknown[],
  shape: number[],
  depth: number,
  check: Checker,
  bool: boolean,
  target: TypedData,
  at: number,
): number {
  if (node.length !== shape[depth])
    throw invalidInput(`input "${name}" is ragged or has the wrong rank`, { input: name });
  const leaf = depth === shape.length - 1;
  for (let i = 0; i < node.length; i++) {
    const child = node[i];
    if (leaf) {
      if (!check(child)) throw badElement(name, child);
      target[at++] = bool ? (child ? 1 : 0) : (child as number);
    } else {
      if (!Array.isArray(child)) throw invalidInput(`input "${name}" is ragged or has the wrong rank`, { input: name });
      at = writeNested(name, child, shape, depth + 1, check, bool, target, at);
    }
  }
  return at;
}

/** Checks inputs and returns them as fresh flat typed arrays (for callers outside a batch). */
export function validateInputs(
  signature: TensorSignature[],
  inputs: Record<string, InputValue>,
  limits: ValidationLimits,
): ValidatedInputs {
  const plan = planInputs(signature, inputs, limits);
  const targets = plan.inputs.map((p) => typedArrayFor(p.sig.datatype, product(p.shape)));
  writeInputs(plan, targets, 0);
  const result: ValidatedInputs = { instances: plan.instances, tensors: {} };
  plan.inputs.forEach((p, i) => (result.tensors[p.sig.name] = { data: targets[i], instanceShape: p.instanceShape }));
  return result;
}

function flatShape(name: string, value: { shape?: unknown; data?: unknown }): number[] {
  const { shape, data } = value;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0) || !Array.isArray(data)) {
    throw invalidInput(`input "${name}" must be { shape: int[], data: [] }`, { input: name });
  }
  if (data.length !== product(shape as number[])) {
    throw invalidInput(`input "${name}" data has ${data.length} values, shape needs ${product(shape as number[])}`, {
      input: name,
    });
  }
  return shape as number[];
}
