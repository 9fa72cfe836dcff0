import type { InferenceJob as JobRow } from '@app/db';
import { InferenceJob, InferenceJobStatus } from './dto/inference-job.type';

/** What a caller sees of a job row; the webhook secret only when `withSecret` (at submit). */
export function jobView(row: JobRow, model: { name: string; version: number }, withSecret = false): InferenceJob {
  return {
    id: row.id,
    status: row.status as InferenceJobStatus,
    progress: { done: row.done, total: row.total },
    outputs: (row.outputs as unknown[] | null) ?? null,
    error: row.error ?? null,
    model: model.name,
    version: model.version,
    webhookUrl: row.webhookUrl,
    webhookSecret: withSecret ? row.webhookSecret : null,
    webhookDeliveredAt: row.webhookDeliveredAt,
    attempts: row.attempts,
    createdAt: row.createdAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}
