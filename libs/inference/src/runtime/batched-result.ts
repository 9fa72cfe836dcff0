import { BatchTiming } from '../batching/micro-batcher';
import { ModelSpec } from '../signature/model-signature';
import { TypedData } from '../signature/signature-validator';
import { BatchOutputs, nest, OutputValues, rowsOf } from './batch-executor';

export interface LabelledScore {
  label: string;
  score: number;
}

/**
 * One request's share of a batch's outputs. Its rows are views into the batch's output arrays;
 * the nested arrays (`outputs`) and labelled scores that JSON protocols send are built on first
 * read, once, so a caller that needs neither (or only one) does not pay for them.
 */
export class BatchedResult {
  private nested?: OutputValues;
  private scores?: LabelledScore[][];

  constructor(
    private readonly spec: ModelSpec,
    private readonly batch: BatchOutputs,
    private readonly offset: number,
    readonly instances: number,
    readonly timing: BatchTiming,
  ) {}

  get batchSize(): number {
    return this.timing.batchSize;
  }

  get computeShareMs(): number {
    return this.timing.computeShareMs;
  }

  /** Output `name`'s rows for this request, flat row-major (a view: copy it to keep it past the request). */
  tensor(name: string): TypedData {
    const o = this.spec.outputs.findIndex((s) => s.name === name);
    return rowsOf(this.batch, o, this.offset, this.instances);
  }

  /** Per declared output, one row per instance (nested to the output's shape). */
  get outputs(): OutputValues {
    if (!this.nested) {
      const nested: OutputValues = {};
      this.spec.outputs.forEach((sig, o) => {
        nested[sig.name] = nest(rowsOf(this.batch, o, this.offset, this.instances), 0, [this.instances, ...this.batch.instanceShapes[o]]);
      });
      this.nested = nested;
    }
    return this.nested;
  }

  /** With spec.labels: per instance, every class with its score, highest first. */
  get labelled(): LabelledScore[][] | undefined {
    const labels = this.spec.labels;
    if (!labels) return undefined;
    if (!this.scores) {
      const rows = rowsOf(this.batch, 0, this.offset, this.instances);
      const classes = this.batch.strides[0];
      this.scores = Array.from({ length: this.instances }, (_, i) => {
        const row: LabelledScore[] = new Array(classes);
        for (let c = 0; c < classes; c++) row[c] = { label: labels[c] ?? String(c), score: rows[i * classes + c] };
        return row.sort((a, b) => b.score - a.score);
      });
    }
    return this.scores;
  }

  /** What goes over the wire (the worker's internal port sends results as JSON). */
  toJSON(): Record<string, unknown> {
    return {
      outputs: this.outputs, labelled: this.labelled, instances: this.instances,
      batchSize: this.batchSize, computeShareMs: this.computeShareMs, timing: this.timing,
    };
  }
}
