import { Evaluation as Row } from '@app/db';
import { ClassificationMetrics, RegressionMetrics } from './metrics';
import { Evaluation } from './evaluation.types';
import { TrainingStatus } from '../training/training.types';

export function evaluationView(r: Row, model: string, version: number): Evaluation {
  const m = (r.metrics ?? {}) as Partial<ClassificationMetrics & RegressionMetrics>;
  const e = r.error as { code?: string; reason?: string; message?: string } | null;
  return {
    id: r.id,
    status: r.status as TrainingStatus,
    model,
    version,
    dataset: r.datasetId,
    target: r.target,
    rows: r.rows,
    createdAt: r.createdAt,
    accuracy: m.accuracy ?? null,
    macroF1: m.macroF1 ?? null,
    perClass: m.perClass ?? null,
    labels: m.labels ?? null,
    confusionMatrix: m.confusionMatrix ?? null,
    mae: m.mae ?? null,
    rmse: m.rmse ?? null,
    r2: m.r2 ?? null,
    error: e ? { code: e.code ?? 'INTERNAL', reason: e.reason ?? null, message: e.message ?? '' } : null,
  };
}
