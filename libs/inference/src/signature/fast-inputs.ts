import { InferenceInputs, OipDatatype, TensorSignature, ValidationLimits } from './model-signature';
import { elementCheck, planInputs, TypedData, writeInputs } from './signature-validator';

const FP32_MAX = 3.4028234663852886e38;

interface FastInput {
  name: string;
  /** Declared dims after the instance dimension (all fixed). */
  dims: number[];
  stride: number;
  /** null: FP32, checked inline; else the datatype's element check. */
  check: ((v: unknown) => boolean) | null;
  bool: boolean;
}

/**
 * The hot path of a warm request for a model whose inputs all have a fixed instance shape
 * ([-1, ...fixed]) and nested-array values (what GraphQL and TF Serving's JSON send): counts
 * instances with a few property reads, then checks each value as it writes it straight into the
 * batch's typed array, with no plan objects, shape arrays or key strings per request.
 *
 * It only ever answers "fine" or "not mine": anything it does not accept at once (OIP flat data,
 * a bad value, a limit crossed) goes through planInputs/writeInputs, which give the one precise
 * error (or accept what this path was too strict about). Both paths write the same values.
 */
export class FastInputs {
  private readonly inputs: FastInput[];
  /** Per input, the instance shape, in signature order (for opening a batch). */
  readonly instanceShapes: number[][];
  private readonly perInstance: number;

  private constructor(
    private readonly signature: TensorSignature[],
    private readonly limits: ValidationLimits,
  ) {
    this.inputs = signature.map((sig) => {
      const dims = sig.shape.slice(1);
      return {
        name: sig.name,
        dims,
        stride: dims.reduce((a, b) => a * b, 1),
        check: sig.datatype === 'FP32' ? null : elementCheck(sig.datatype as Exclude<OipDatatype, 'BYTES'>),
        bool: sig.datatype === 'BOOL',
      };
    });
    this.instanceShapes = this.inputs.map((i) => i.dims);
    this.perInstance = this.inputs.reduce((a, i) => a + i.stride, 0);
  }

  /** A fast path for this signature, or undefined when its shapes are not all fixed. */
  static for(signature: TensorSignature[], limits: ValidationLimits): FastInputs | undefined {
    const fixed = signature.every(
      (s) =>
        s.datatype !== 'BYTES' && s.shape.length >= 2 && s.shape[0] === -1 && s.shape.slice(1).every((d) => d >= 0),
    );
    return fixed && signature.length > 0 ? new FastInputs(signature, limits) : undefined;
  }

  /** The request's instance count if this path takes it (0: it does not; use planInputs). */
  count(inputs: InferenceInputs): number {
    if (inputs === null || typeof inputs !== 'object' || Array.isArray(inputs)) return 0;
    let keys = 0;
    for (const _ in inputs) keys++;
    if (keys !== this.inputs.length) return 0;
    let n = -1;
    for (let i = 0; i < this.inputs.length; i++) {
      const value = inputs[this.inputs[i].name];
      if (!Array.isArray(value) || value.length === 0 || (n !== -1 && value.length !== n)) return 0;
      n = value.length;
    }
    if (n > this.limits.maxInstances || n * this.perInstance > this.limits.maxElements) return 0;
    return n;
  }

  /**
   * Checks and writes a request that count() took into `targets` from row `row` on. When a value
   * is not accepted here, the exact path decides: it writes the request or throws its error.
   */
  write(inputs: InferenceInputs, targets: TypedData[], row: number): void {
    for (let i = 0; i < this.inputs.length; i++) {
      const input = this.inputs[i];
      const value = inputs[input.name] as unknown[];
      const ok =
        input.dims.length === 1
          ? writeRows(value, input.dims[0], input, targets[i], row * input.stride)
          : writeDeep(value, input.dims, 0, input, targets[i], row * input.stride) >= 0;
      if (!ok) {
        writeInputs(planInputs(this.signature, inputs, this.limits), targets, row);
        return;
      }
    }
  }
}

/** [-1, k]: n rows of k values (the common tabular case, as one tight loop). */
function writeRows(value: unknown[], k: number, input: FastInput, target: TypedData, at: number): boolean {
  const { check, bool } = input;
  for (let r = 0; r < value.length; r++) {
    const row = value[r];
    if (!Array.isArray(row) || row.length !== k) return false;
    for (let j = 0; j < k; j++) {
      const v: unknown = row[j];
      if (check === null) {
        if (typeof v !== 'number' || !(v <= FP32_MAX && v >= -FP32_MAX)) return false;
        target[at++] = v;
      } else {
        if (!check(v)) return false;
        target[at++] = bool ? (v ? 1 : 0) : (v as number);
      }
    }
  }
  return true;
}

/** Any fixed rank: depth-first; returns the next write position, or -1 when it gives up. */
function writeDeep(
  node: unknown[],
  dims: number[],
  depth: number,
  input: FastInput,
  target: TypedData,
  at: number,
): number {
  // depth 0 is the instance list, whose length count() took; deeper levels have fixed lengths.
  if (depth > 0 && node.length !== dims[depth - 1]) return -1;
  const leaf = depth === dims.length;
  for (let i = 0; i < node.length; i++) {
    const child: unknown = node[i];
    if (leaf) {
      if (input.check === null) {
        if (typeof child !== 'number' || !(child <= FP32_MAX && child >= -FP32_MAX)) return -1;
        target[at++] = child;
      } else {
        if (!input.check(child)) return -1;
        target[at++] = input.bool ? (child ? 1 : 0) : (child as number);
      }
    } else {
      if (!Array.isArray(child)) return -1;
      at = writeDeep(child, dims, depth + 1, input, target, at);
      if (at < 0) return -1;
    }
  }
  return at;
}
