/**
 * @app/training: the model lifecycle, above models and inference, beside the jobs.
 * - `TrainingModule` (the api): datasets, startTraining / trainingJob(s) / cancelTraining,
 *   evaluateModelVersion / evaluation, optimizeModelVersion (GraphQL).
 * - `TrainingWorkerModule` (apps/worker; included by TrainingModule): the training runner, a
 *   job kind (`trn_` ids) on the shared job queue.
 * - `fitTabular`, `prepareData`: the training core, for benchmarks.
 */
export { TrainingModule, TrainingWorkerModule } from './training.module';
export { TrainingError, TrainingErrorReason } from './training.error';
export { fitTabular, buildNetwork } from './training/tabular-trainer';
export type { FitParams, FitResult, EpochLog, Task, TrainingTensors } from './training/tabular-trainer';
export { prepareData } from './training/training-data';
export { trainingParams } from './training/training-params';
export { parseDataset } from './datasets/dataset-table';
export { classificationMetrics, regressionMetrics } from './evaluation/metrics';
