import { BatchRun, BatchTiming, timingOf } from '../batching/micro-batcher';
import { ModelSpec } from '../signature/model-signature';
import { TypedData } from '../signature/signature-validator';
import { BatchOutputs, nest, OutputValues, rowsOf } from './batch-executor';

export interface LabelledScore {
  label: string;
  score: number;
}

/**
 * One request's share of a batch's outputs. Its rows are views into the batch's output arrays;
 * the nested arrays (`outputs`) that JSON protocols send, and the timing, are built on first
 * read, once, so that answering a request costs one small object until someone reads it.
 */
export class BatchedResult {
  private nested?: OutputValues;
  private timed?: BatchTiming;

  constructor(
    private readonly spec: ModelSpec,
    private readonly batch: BatchOutputs,
    private readonly offset: number,
    readonly instances: number,
    private readonly enqueuedAt: number,
    private readonly run: BatchRun,
  ) {}

  get batchSize(): number {
    return this.run.size;
  }

  get timing(): BatchTiming {
    return (this.timed ??= timingOf(this.run, this.enqueuedAt, this.instances));
  }

  get computeShareMs(): number {
    return ((this.run.finished - this.run.started) * this.instances) / this.run.size;
  }

  /** Output `name`'s rows for this request, flat row-major (a view: copy it to keep it past the request). */
  tensor(name: string): TypedData {
    const outputs = this.spec.outputs;
    let o = 0;
    while (o < outputs.length && outputs[o].name !== name) o++;
    return rowsOf(this.batch, o, this.offset, this.instances);
  }

  /** Per declared output, one row per instance (nested to the output's shape). */
  get outputs(): OutputValues {
    if (!this.nested) {
      const nested: OutputValues = {};
      this.spec.outputs.forEach((sig, o) => {
        nested[sig.name] = nest(rowsOf(this.batch, o, this.offset, this.instances), 0, [
          this.instances,
          ...this.batch.instanceShapes[o],
        ]);
      });
      this.nested = nested;
    }
    return this.nested;
  }

  /** What goes over the wire (the worker's internal port sends results as JSON). */
  toJSON(): Record<string, unknown> {
    return {
      outputs: this.outputs,
      instances: this.instances,
      batchSize: this.batchSize,
      computeShareMs: this.computeShareMs,
      timing: this.timing,
    };
  }
}

/** Per instance, every class of the version's labels with its score, highest first. */
export function labelScores(labels: readonly string[], rows: number[][]): LabelledScore[][] {
  return rows.map((row) =>
    row.map((score, i) => ({ label: labels[i] ?? String(i), score })).sort((a, b) => b.score - a.score),
  );
}
