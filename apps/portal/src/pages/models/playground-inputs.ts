import type { ModelVersion, TensorSpec } from '../../api/operations/models';

/** Names of iris's four measurements, in the order of its `features` tensor. */
const IRIS_FIELDS = ['Sepal length (cm)', 'Sepal width (cm)', 'Petal length (cm)', 'Petal width (cm)'];
const IRIS_EXAMPLE = ['5.1', '3.5', '1.4', '0.2'];

/** How the playground asks for one instance of a version's inputs. */
export type InputForm =
  /** A trained tabular version: one field per raw column (number or text). */
  | { kind: 'columns'; fields: { name: string; label: string; numeric: boolean }[] }
  /** One FP32 [-1, n] tensor with a few values: one number field each. */
  | { kind: 'vector'; input: string; fields: { name: string; label: string; numeric: true }[] }
  /** Anything else: the inputs as JSON, the same object `predict` takes. */
  | { kind: 'json' };

const MAX_VECTOR_FIELDS = 16;

export function inputFormOf(model: string, v: ModelVersion): InputForm {
  if (v.featureColumns?.length) {
    return {
      kind: 'columns',
      fields: v.inputs.map((t) => ({ name: t.name, label: t.name, numeric: t.datatype !== 'BYTES' })),
    };
  }
  const only = v.inputs.length === 1 ? v.inputs[0]! : undefined;
  const width = only?.shape.length === 2 ? only.shape[1]! : 0;
  if (only && only.datatype.startsWith('FP') && width > 0 && width <= MAX_VECTOR_FIELDS) {
    const names = model === 'iris' && width === 4 ? IRIS_FIELDS : only.labels?.length === width ? only.labels : null;
    return {
      kind: 'vector',
      input: only.name,
      fields: Array.from({ length: width }, (_, i) => ({
        name: `${only.name}[${i}]`,
        label: names?.[i] ?? `${only.name}[${i}]`,
        numeric: true as const,
      })),
    };
  }
  return { kind: 'json' };
}

/** Starting values: iris's first flower, zeros or empty elsewhere. */
export function initialValues(model: string, form: InputForm): string[] {
  if (form.kind === 'json') return [];
  if (model === 'iris' && form.kind === 'vector' && form.fields.length === 4) return [...IRIS_EXAMPLE];
  return form.fields.map((f) => (f.numeric ? '0' : ''));
}

export function exampleJson(inputs: TensorSpec[]): string {
  return JSON.stringify(
    Object.fromEntries(
      inputs.map((t) => [
        t.name,
        [
          t.datatype === 'BYTES'
            ? ''
            : Array.from({ length: t.shape.slice(1).reduce((a, b) => a * Math.max(1, b), 1) }, () => 0),
        ],
      ]),
    ),
  );
}

/** The `inputs` object of `predict` for one instance, or a sentence saying which field is wrong. */
export function buildInputs(
  form: InputForm,
  values: string[],
  json: string,
): { inputs: Record<string, unknown> } | { problem: string } {
  if (form.kind === 'json') {
    try {
      const inputs = JSON.parse(json) as unknown;
      if (!inputs || typeof inputs !== 'object' || Array.isArray(inputs))
        return { problem: 'The inputs must be a JSON object keyed by input name.' };
      return { inputs: inputs as Record<string, unknown> };
    } catch {
      return { problem: 'The inputs are not valid JSON: check quotes, commas and brackets.' };
    }
  }
  const cells: (number | string | null)[] = [];
  for (const [i, f] of form.fields.entries()) {
    const raw = (values[i] ?? '').trim();
    if (!f.numeric) {
      cells.push(raw === '' ? null : raw);
      continue;
    }
    const n = Number(raw);
    if (raw === '' && form.kind === 'columns') cells.push(null);
    else if (raw === '' || !Number.isFinite(n)) return { problem: `${f.label} must be a number.` };
    else cells.push(n);
  }
  if (form.kind === 'vector') return { inputs: { [form.input]: [cells] } };
  return { inputs: Object.fromEntries(form.fields.map((f, i) => [f.name, [cells[i]]])) };
}
