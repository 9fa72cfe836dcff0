import { AppError, ErrorCode } from '@app/common';

/** Why a dataset, a training, an evaluation or an optimisation was refused or failed (extensions.reason). */
export enum TrainingErrorReason {
  DATASET_NOT_FOUND = 'DATASET_NOT_FOUND',
  TRAINING_JOB_NOT_FOUND = 'TRAINING_JOB_NOT_FOUND',
  EVALUATION_NOT_FOUND = 'EVALUATION_NOT_FOUND',
  INVALID_FORMAT = 'INVALID_FORMAT',
  RAGGED_ROWS = 'RAGGED_ROWS',
  DUPLICATE_COLUMN = 'DUPLICATE_COLUMN',
  INVALID_VALUE = 'INVALID_VALUE',
  TOO_MANY_COLUMNS = 'TOO_MANY_COLUMNS',
  DATASET_TOO_LARGE = 'DATASET_TOO_LARGE',
  EMPTY_DATASET = 'EMPTY_DATASET',
  UNKNOWN_COLUMN = 'UNKNOWN_COLUMN',
  TOO_FEW_ROWS = 'TOO_FEW_ROWS',
  SINGLE_CLASS = 'SINGLE_CLASS',
  NON_NUMERIC_TARGET = 'NON_NUMERIC_TARGET',
  INVALID_PARAMETER = 'INVALID_PARAMETER',
  DIVERGED = 'DIVERGED',
  TIME_LIMIT = 'TIME_LIMIT',
  JOB_FINISHED = 'JOB_FINISHED',
  NOT_TRAINABLE_HERE = 'NOT_TRAINABLE_HERE',
  NO_LABELS = 'NO_LABELS',
  NOT_QUANTIZABLE = 'NOT_QUANTIZABLE',
  UPLOAD_TOKEN_INVALID = 'UPLOAD_TOKEN_INVALID',
  UPLOAD_EXPIRED = 'UPLOAD_EXPIRED',
  UPLOAD_SIZE_MISMATCH = 'UPLOAD_SIZE_MISMATCH',
  UPLOAD_ALREADY_RECEIVED = 'UPLOAD_ALREADY_RECEIVED',
  UPLOAD_NOT_RECEIVED = 'UPLOAD_NOT_RECEIVED',
}

export class TrainingError extends AppError {
  static invalid(reason: TrainingErrorReason, message: string, details?: Record<string, unknown>): TrainingError {
    return new TrainingError(ErrorCode.BAD_USER_INPUT, message, { reason, details });
  }

  static missing(what: 'dataset' | 'training job' | 'evaluation'): TrainingError {
    const reason = {
      dataset: TrainingErrorReason.DATASET_NOT_FOUND,
      'training job': TrainingErrorReason.TRAINING_JOB_NOT_FOUND,
      evaluation: TrainingErrorReason.EVALUATION_NOT_FOUND,
    }[what];
    return new TrainingError(ErrorCode.NOT_FOUND, `${what} not found`, { reason });
  }

  static finished(status: string): TrainingError {
    return new TrainingError(ErrorCode.CONFLICT, `the training job is already ${status}`, {
      reason: TrainingErrorReason.JOB_FINISHED,
      details: { status },
    });
  }
}
