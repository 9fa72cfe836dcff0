import { ColumnInfo } from '../datasets/dataset-table';
import { TrainingError, TrainingErrorReason } from '../training.error';
import { FitParams, Task } from './tabular-trainer';

/** What a training job was asked to do, validated; stored on the job row as `params`. */
export interface TrainingParams extends FitParams {
  target: string;
  features: string[];
  task: Task | null;
  validationSplit: number;
}

export interface TrainingRequest {
  target: string;
  features?: string[] | null;
  task?: Task | null;
  epochs?: number | null;
  batchSize?: number | null;
  learningRate?: number | null;
  hiddenUnits?: number[] | null;
  dropout?: number | null;
  validationSplit?: number | null;
  earlyStoppingPatience?: number | null;
  seed?: number | null;
}

const bad = (field: string, message: string) =>
  TrainingError.invalid(TrainingErrorReason.INVALID_PARAMETER, `${field}: ${message}`, { field });

function int(field: string, v: number | null | undefined, min: number, max: number, fallback: number): number {
  if (v === null || v === undefined) return fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw bad(field, `an integer from ${min} to ${max}`);
  return v;
}

function real(
  field: string,
  v: number | null | undefined,
  min: number,
  max: number,
  fallback: number,
  openMin = false,
): number {
  if (v === null || v === undefined) return fallback;
  if (!Number.isFinite(v) || v > max || (openMin ? v <= min : v < min))
    throw bad(field, `a number ${openMin ? 'above' : 'from'} ${min} ${openMin ? 'up to' : 'to'} ${max}`);
  return v;
}

/** Checks the hyper-parameters and the columns against the dataset's (known before any row is read). */
export function trainingParams(input: TrainingRequest, columns: ColumnInfo[], maxColumns: number): TrainingParams {
  const names = new Set(columns.map((c) => c.name));
  const target = columns.find((c) => c.name === input.target);
  if (!target)
    throw TrainingError.invalid(
      TrainingErrorReason.UNKNOWN_COLUMN,
      `target "${input.target}" is not a column of the dataset`,
      { field: 'target', column: input.target },
    );
  const features = input.features?.length
    ? input.features
    : columns.map((c) => c.name).filter((n) => n !== target.name);
  for (const f of features) {
    if (!names.has(f))
      throw TrainingError.invalid(TrainingErrorReason.UNKNOWN_COLUMN, `feature "${f}" is not a column of the dataset`, {
        field: 'features',
        column: f,
      });
    if (f === target.name) throw bad('features', 'the target cannot also be a feature');
  }
  if (new Set(features).size !== features.length) throw bad('features', 'a column is named twice');
  if (!features.length) throw bad('features', 'at least one feature column');
  if (features.length > maxColumns)
    throw TrainingError.invalid(TrainingErrorReason.TOO_MANY_COLUMNS, `at most ${maxColumns} feature columns`, {
      limit: maxColumns,
    });
  if (input.task === 'REGRESSION' && target.type !== 'NUMBER') {
    throw TrainingError.invalid(
      TrainingErrorReason.NON_NUMERIC_TARGET,
      `regression needs a NUMBER target; "${target.name}" is ${target.type}`,
      { column: target.name },
    );
  }
  const hiddenUnits = input.hiddenUnits ?? [64];
  if (hiddenUnits.length > 6 || hiddenUnits.some((u) => !Number.isInteger(u) || u < 1 || u > 4096))
    throw bad('hiddenUnits', 'up to 6 layers of 1 to 4096 units');
  return {
    target: target.name,
    features,
    task: input.task ?? null,
    epochs: int('epochs', input.epochs, 1, 1000, 30),
    batchSize: int('batchSize', input.batchSize, 1, 8192, 32),
    learningRate: real('learningRate', input.learningRate, 0, 10, 0.005, true),
    hiddenUnits,
    dropout: real('dropout', input.dropout, 0, 0.9, 0),
    validationSplit: real('validationSplit', input.validationSplit, 0, 0.5, 0.2),
    earlyStoppingPatience:
      input.earlyStoppingPatience === null || input.earlyStoppingPatience === undefined
        ? null
        : int('earlyStoppingPatience', input.earlyStoppingPatience, 1, 1000, 1),
    seed: int('seed', input.seed, 0, 2 ** 31 - 1, 42),
  };
}
