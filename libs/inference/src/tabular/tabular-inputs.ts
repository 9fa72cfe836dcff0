import { InferenceError, InferenceErrorCode, invalidInput } from '../inference.error';
import {
  InferenceInputs,
  ModelSpec,
  TensorSignature,
  ValidatedInputs,
  ValidationLimits,
} from '../signature/model-signature';
import { Cell, encodeTabular, TABULAR_FEATURES, TabularPreprocessing, tabularWidth } from './tabular-preprocessing';

/** One input's values: a list (GraphQL, TF Serving) or OIP's { shape: [n], data }. */
function cellsOf(sig: TensorSignature, value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (value && typeof value === 'object' && Array.isArray((value as { data?: unknown }).data))
    return (value as { data: unknown[] }).data;
  throw invalidInput(`input "${sig.name}" must be a list with one value per instance (null: missing)`, {
    input: sig.name,
  });
}

function checkCell(sig: TensorSignature, v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (sig.datatype === 'BYTES') {
    if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) return String(v);
  } else if (typeof v === 'number' && Number.isFinite(v)) {
    return v;
  }
  const shown = typeof v === 'number' ? String(v) : typeof v;
  throw invalidInput(`input "${sig.name}" (${sig.datatype}) holds a value it does not allow: ${shown}`, {
    input: sig.name,
  });
}

/**
 * The runtime hook for versions trained on the platform: checks one [-1] input per feature
 * column (FP32 numbers or BYTES strings, null for missing) and encodes them with the version's
 * learned preprocessing into the single tensor its TF.js model takes.
 */
export function tabularInputs(
  spec: ModelSpec,
  p: TabularPreprocessing,
  inputs: InferenceInputs,
  limits: ValidationLimits,
): ValidatedInputs {
  if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs))
    throw invalidInput('inputs must be an object keyed by column name');
  const declared = new Set(spec.inputs.map((s) => s.name));
  const unknown = Object.keys(inputs).filter((k) => !declared.has(k));
  if (unknown.length)
    throw invalidInput(`unknown input(s): ${unknown.join(', ')}`, { inputs: unknown, expected: [...declared] });
  const columns: Record<string, Cell[]> = {};
  let rows = -1;
  for (const sig of spec.inputs) {
    if (inputs[sig.name] === undefined) throw invalidInput(`missing input "${sig.name}"`, { input: sig.name });
    const cells = cellsOf(sig, inputs[sig.name]);
    if (rows !== -1 && cells.length !== rows)
      throw invalidInput('all inputs must have the same number of instances', { input: sig.name });
    rows = cells.length;
    if (rows === 0) throw invalidInput(`input "${sig.name}" has no instances`);
    if (rows > limits.maxInstances) {
      throw new InferenceError(
        InferenceErrorCode.TOO_MANY_INSTANCES,
        `at most ${limits.maxInstances} instances per request`,
        { limit: limits.maxInstances },
      );
    }
    columns[sig.name] = cells.map((v) => checkCell(sig, v));
  }
  const width = tabularWidth(p);
  if (rows * width > limits.maxElements) {
    throw new InferenceError(
      InferenceErrorCode.TOO_MANY_ELEMENTS,
      `at most ${limits.maxElements} encoded elements per request`,
      { limit: limits.maxElements },
    );
  }
  return {
    instances: rows,
    tensors: { [TABULAR_FEATURES]: { data: encodeTabular(p, columns, rows), instanceShape: [width] } },
  };
}

/** The spec the batcher runs: the encoded [-1, width] tensor instead of the raw columns. */
export function encodedSpec(spec: ModelSpec, p: TabularPreprocessing): ModelSpec {
  return { ...spec, inputs: [{ name: TABULAR_FEATURES, datatype: 'FP32', shape: [-1, tabularWidth(p)] }] };
}
