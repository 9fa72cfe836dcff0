import { z } from 'zod';

/** Limits of the model lifecycle (datasets, training), read from the environment. */
const schema = z.object({
  DATASET_MAX_COLUMNS: z.coerce.number().int().min(2).default(1024),
  DATASET_MAX_ROWS: z.coerce.number().int().min(10).default(200_000),
  // A training job stops (FAILED, TIME_LIMIT) past this; its quota hold is this many seconds' units.
  TRAINING_MAX_SECONDS: z.coerce.number().int().min(1).default(900),
  TRAINING_UNITS_PER_SECOND: z.coerce.number().int().min(0).default(1),
  TRAINING_MIN_ROWS: z.coerce.number().int().min(2).default(10),
  // Bag-of-words vocabulary of a free-text column, most frequent words first.
  TRAINING_VOCABULARY: z.coerce.number().int().min(8).default(500),
});

export interface TrainingConfig {
  maxColumns: number;
  maxRows: number;
  maxSeconds: number;
  unitsPerSecond: number;
  minRows: number;
  vocabulary: number;
}

export const TRAINING_CONFIG = Symbol('TRAINING_CONFIG');

export function trainingConfigFromEnv(env: NodeJS.ProcessEnv = process.env): TrainingConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const c = schema.parse(cleaned);
  return {
    maxColumns: c.DATASET_MAX_COLUMNS,
    maxRows: c.DATASET_MAX_ROWS,
    maxSeconds: c.TRAINING_MAX_SECONDS,
    unitsPerSecond: c.TRAINING_UNITS_PER_SECOND,
    minRows: c.TRAINING_MIN_ROWS,
    vocabulary: c.TRAINING_VOCABULARY,
  };
}
