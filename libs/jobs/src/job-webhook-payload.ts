import type { InferenceJob } from '@app/db';
import type { ResolvedModel } from '@app/models';

/**
 * The completion webhook's body. Outputs are not included (they can be large): fetch them
 * with inferenceJob(id). `id` is stable across retries, for the receiver to dedup on.
 */
export function jobWebhookPayload(job: InferenceJob, model?: ResolvedModel): Record<string, unknown> {
  return {
    id: `evt_${job.id}`,
    type: `inference_job.${job.status.toLowerCase()}`,
    createdAt: new Date().toISOString(),
    job: {
      id: job.id,
      status: job.status,
      progress: { done: job.done, total: job.total },
      model: model?.modelName ?? null,
      version: model?.version ?? null,
      error: job.error ?? null,
      createdAt: job.createdAt.toISOString(),
      finishedAt: job.finishedAt?.toISOString() ?? null,
    },
  };
}
