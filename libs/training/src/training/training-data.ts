import { Cell, TabularPreprocessing, encodeTabular, tabularWidth } from '@app/inference';
import { seededRandom, shuffled } from '@app/common';
import { CellValue, DatasetTable } from '../datasets/dataset-table';
import { TrainingError, TrainingErrorReason } from '../training.error';
import { learnPreprocessing } from './preprocessing-learner';
import { Task, TrainingTensors } from './tabular-trainer';
import { TrainingParams } from './training-params';

export interface PreparedData {
  task: Task;
  /** Classification: class names in output order. */
  labels: string[] | null;
  targetScale?: { mean: number; std: number };
  preprocessing: TabularPreprocessing;
  train: TrainingTensors;
  validation: TrainingTensors | null;
}

// A NUMBER target with this few distinct integers is taken as classes when no task is given.
const MAX_NUMERIC_CLASSES = 10;

/** Task from the target when not given: STRING or few distinct integers -> classification. */
export function inferTask(values: CellValue[], type: 'NUMBER' | 'STRING'): Task {
  if (type === 'STRING') return 'CLASSIFICATION';
  const distinct = new Set(values);
  return distinct.size <= MAX_NUMERIC_CLASSES && [...distinct].every((v) => Number.isInteger(v))
    ? 'CLASSIFICATION'
    : 'REGRESSION';
}

/** Class names: numbers in numeric order, strings in code-point order. */
export function labelsOf(values: CellValue[]): string[] {
  const distinct = [...new Set(values)];
  if (distinct.every((v) => typeof v === 'number')) return (distinct as number[]).sort((a, b) => a - b).map(String);
  return distinct.map(String).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Rows with a target, shuffled with the seed, split into training and validation rows; the
 * preprocessing is learned from the training rows and both sets are encoded with it.
 */
export function prepareData(
  table: DatasetTable,
  params: TrainingParams,
  minRows: number,
  vocabulary: number,
): PreparedData {
  const target = table.columns.find((c) => c.name === params.target)!;
  const targetCells = table.cells[target.name];
  const labelled = targetCells.flatMap((v, i) => (v === null ? [] : [i]));
  if (labelled.length < minRows)
    throw TrainingError.invalid(
      TrainingErrorReason.TOO_FEW_ROWS,
      `at least ${minRows} rows with a target value (the dataset has ${labelled.length})`,
      { rows: labelled.length, min: minRows },
    );
  const present = labelled.map((i) => targetCells[i]);
  const task = params.task ?? inferTask(present, target.type);
  if (task === 'REGRESSION' && target.type !== 'NUMBER')
    throw TrainingError.invalid(
      TrainingErrorReason.NON_NUMERIC_TARGET,
      `regression needs a NUMBER target; "${target.name}" is ${target.type}`,
    );
  const labels = task === 'CLASSIFICATION' ? labelsOf(present) : null;
  if (labels && labels.length < 2)
    throw TrainingError.invalid(
      TrainingErrorReason.SINGLE_CLASS,
      `the target "${target.name}" has only one class (${labels[0]})`,
      { column: target.name },
    );

  const order = shuffled(labelled, seededRandom(params.seed));
  const valCount = params.validationSplit > 0 ? Math.max(1, Math.round(order.length * params.validationSplit)) : 0;
  const valRows = order.slice(0, valCount);
  const trainRows = order.slice(valCount);
  const features = params.features.map((f) => table.columns.find((c) => c.name === f)!);
  const preprocessing = learnPreprocessing(features, table.cells, trainRows, vocabulary);
  const index = labels ? new Map(labels.map((l, i) => [l, i])) : null;
  const yOf = (r: number): number => (index ? index.get(String(targetCells[r]))! : (targetCells[r] as number));
  const encode = (rows: number[]): TrainingTensors => {
    const columns = Object.fromEntries(params.features.map((f) => [f, rows.map((r) => table.cells[f][r] as Cell)]));
    return {
      x: encodeTabular(preprocessing, columns, rows.length),
      y: Float32Array.from(rows, yOf),
      rows: rows.length,
      width: tabularWidth(preprocessing),
    };
  };
  const train = encode(trainRows);
  let targetScale: PreparedData['targetScale'];
  if (task === 'REGRESSION') {
    const ys = Array.from(train.y);
    const mean = ys.reduce((s, v) => s + v, 0) / ys.length;
    targetScale = { mean, std: Math.sqrt(ys.reduce((s, v) => s + (v - mean) ** 2, 0) / ys.length) || 1 };
  }
  return { task, labels, targetScale, preprocessing, train, validation: valCount ? encode(valRows) : null };
}
