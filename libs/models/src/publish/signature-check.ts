import { OIP_DATATYPES, OipDatatype, TensorSignature } from '@app/inference';
import { ModelError, ModelErrorReason } from '../model.error';

const MAX_TENSORS = 16;
const TENSOR_NAME = /^[A-Za-z0-9_.:/-]{1,128}$/;

export interface DeclaredTensor extends TensorSignature {
  labels?: string[];
}

/** What a client declares (datatype still an unchecked string). */
export interface TensorDeclaration {
  name: string;
  datatype: string;
  shape: number[];
  labels?: string[] | null;
}

const bad = (message: string, details?: Record<string, unknown>) =>
  ModelError.invalid(ModelErrorReason.INVALID_SIGNATURE, message, details);

/** A declared signature: numeric datatypes, shape[0] = -1 (instances), every other dimension fixed. */
export function checkSignature(kind: 'inputs' | 'outputs', tensors: TensorDeclaration[]): DeclaredTensor[] {
  if (!Array.isArray(tensors) || tensors.length === 0 || tensors.length > MAX_TENSORS)
    throw bad(`${kind}: 1 to ${MAX_TENSORS} tensors`, { field: kind });
  const names = new Set<string>();
  return tensors.map((t) => {
    if (!TENSOR_NAME.test(t.name ?? '') || names.has(t.name))
      throw bad(`${kind}: invalid or duplicate name "${t.name}"`, { field: kind });
    names.add(t.name);
    if (!OIP_DATATYPES.includes(t.datatype as OipDatatype) || t.datatype === 'BYTES')
      throw bad(`${kind}.${t.name}: datatype must be a numeric OIP datatype`, { field: kind });
    const [first, ...rest] = t.shape ?? [];
    if (first !== -1 || t.shape.length > 8 || rest.some((d) => !Number.isInteger(d) || d < 1 || d > 1_000_000)) {
      throw bad(`${kind}.${t.name}: shape must be [-1, d1, ...] with fixed positive dimensions`, {
        field: kind,
        shape: t.shape,
      });
    }
    const labels = t.labels ?? undefined;
    if (
      labels &&
      (labels.length !== (rest.at(-1) ?? 0) || labels.some((l) => typeof l !== 'string' || l.length > 128))
    ) {
      throw bad(`${kind}.${t.name}: labels must name every entry of the last dimension`, { field: kind });
    }
    return {
      name: t.name,
      datatype: t.datatype as OipDatatype,
      shape: [...t.shape],
      ...(labels?.length ? { labels } : {}),
    };
  });
}
