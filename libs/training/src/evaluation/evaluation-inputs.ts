import type { InferenceInputs, ModelSpec } from '@app/inference';
import { CellValue, DatasetTable } from '../datasets/dataset-table';
import { TrainingError, TrainingErrorReason } from '../training.error';

export type Evaluator = (rows: number[]) => InferenceInputs;

/**
 * How dataset rows become a version's inputs. A version trained here (or any version whose
 * inputs are [-1] columns) takes the columns of the same names; a version with one [-1, n]
 * input takes the dataset's other n NUMBER columns, in file order, as its feature vector.
 */
export function evaluatorFor(spec: ModelSpec, table: DatasetTable, target: string): Evaluator {
  const has = new Map(table.columns.map((c) => [c.name, c]));
  if (spec.inputs.every((s) => s.shape.length === 1)) {
    for (const s of spec.inputs) {
      if (!has.has(s.name))
        throw TrainingError.invalid(
          TrainingErrorReason.UNKNOWN_COLUMN,
          `the version takes "${s.name}", which is not a column of the dataset`,
          { column: s.name },
        );
    }
    return (rows) =>
      Object.fromEntries(spec.inputs.map((s) => [s.name, rows.map((r) => table.cells[s.name][r])])) as InferenceInputs;
  }
  const vector = spec.inputs.length === 1 && spec.inputs[0].shape.length === 2 ? spec.inputs[0] : null;
  const numeric = table.columns.filter((c) => c.name !== target && c.type === 'NUMBER');
  if (!vector || numeric.length !== vector.shape[1]) {
    throw TrainingError.invalid(
      TrainingErrorReason.UNKNOWN_COLUMN,
      "the dataset's columns do not match the version's inputs: give one column per [-1] input, or as many NUMBER columns as a [-1, n] input takes",
      { expected: spec.inputs },
    );
  }
  return (rows) => {
    const values = rows.map((r) => numeric.map((c) => table.cells[c.name][r]));
    if (values.some((row) => row.some((v: CellValue) => v === null)))
      throw TrainingError.invalid(TrainingErrorReason.INVALID_VALUE, 'a [-1, n] input cannot take missing values');
    return { [vector.name]: values } as InferenceInputs;
  };
}
