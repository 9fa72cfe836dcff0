import { TrainingJob as JobRow } from '@app/db';
import { ModelVersion } from '@app/models';
import { TrainingParams } from './training-params';
import { TrainingEpoch, TrainingJob, TrainingStatus, TrainingTask } from './training.types';

export function trainingJobView(row: JobRow, model: string, version: ModelVersion | null): TrainingJob {
  const params = row.params as unknown as TrainingParams & { resolvedTask?: string };
  const history = (row.history as unknown as TrainingEpoch[]) ?? [];
  const last = history.at(-1);
  const error = row.error as { code?: string; reason?: string; message?: string } | null;
  return {
    id: row.id,
    status: row.status as TrainingStatus,
    model,
    dataset: row.datasetId,
    task: (params.resolvedTask ?? params.task ?? null) as TrainingTask | null,
    progress: {
      epoch: last?.epoch ?? 0,
      epochs: params.epochs,
      loss: last?.loss ?? null,
      valLoss: last?.valLoss ?? null,
      valMetric: last?.valMetric ?? null,
    },
    history,
    modelVersion: version,
    error: error
      ? { code: error.code ?? 'INTERNAL', reason: error.reason ?? null, message: error.message ?? 'training failed' }
      : null,
    computeMs: row.computeMs,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}
