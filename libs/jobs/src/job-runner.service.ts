import { hostname } from 'node:os';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, MetricsService, newId, sha256Hex } from '@app/common';
import { InferenceJob, PrismaService } from '@app/db';
import { AuditService } from '@app/audit';
import { InferenceError, InferenceErrorCode, InferenceRuntime } from '@app/inference';
import { ModelRegistry, ResolvedModel } from '@app/models';
import { QUEUE_CONFIG, QueueConfig } from '@app/queue';
import { WebhookSender } from './webhooks/webhook-sender.service';
import { JOB_METERING, JOB_QUOTA, JobMeteringPort, JobQuotaPort, reservationFromJson } from './job-billing.ports';
import { stackInstances, unstackOutputs } from './job-instances';
import { jobWebhookPayload } from './job-webhook-payload';

type Final = 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
class LeaseLost extends Error {}

// Failures that another attempt may not hit: the job goes back to the queue for them.
const TRANSIENT = new Set<string>([
  InferenceErrorCode.OVERLOADED,
  InferenceErrorCode.TIMEOUT,
  InferenceErrorCode.BACKEND_UNAVAILABLE,
  InferenceErrorCode.MODEL_LOAD_FAILED,
]);

/**
 * Runs one job under a lease (lockedBy/lockedUntil on its row). Delivery is at least once;
 * effects are exactly once because:
 *  - a claim is one conditional UPDATE (QUEUED, or RUNNING with an expired lease);
 *  - each chunk's progress is written only while this worker still holds the lease and the
 *    job is where it left it (done = n), so a worker that lost its lease stops;
 *  - the final status change, usage record (idempotency key = job id), quota settlement and
 *    audit record commit in one transaction that only the lease holder of a RUNNING job can make.
 * All queries here use the unscoped client: a worker acts for whichever tenant owns the job id
 * it was handed, and every statement names that job id.
 */
@Injectable()
export class JobRunner {
  readonly workerId = `${hostname()}:${process.pid}:${newId('req').slice(4, 12)}`;
  private readonly log = new Logger('JobRunner');

  constructor(
    @Inject(QUEUE_CONFIG) private readonly config: QueueConfig,
    private readonly prisma: PrismaService,
    private readonly registry: ModelRegistry,
    private readonly runtime: InferenceRuntime,
    private readonly audit: AuditService,
    private readonly webhooks: WebhookSender,
    private readonly metrics: MetricsService,
    @Inject(JOB_QUOTA) private readonly quota: JobQuotaPort,
    @Inject(JOB_METERING) private readonly metering: JobMeteringPort,
  ) {}

  /** Handles one delivery. Resolves when there is nothing (more) to do; throws to be redelivered. */
  async run(jobId: string): Promise<void> {
    const job = await this.claim(jobId);
    if (!job) return;
    const beat = setInterval(
      () => void this.extendLease(jobId).catch(() => undefined),
      Math.max(100, this.config.JOB_LEASE_MS / 3),
    );
    try {
      await this.process(job);
    } catch (e) {
      if (e instanceof LeaseLost) return;
      const transient = !(e instanceof AppError) || (e instanceof InferenceError && TRANSIENT.has(e.inferenceCode));
      if (transient && job.attempts < this.config.JOB_MAX_ATTEMPTS) {
        await this.prisma
          .$executeRaw`UPDATE inference_jobs SET status = 'QUEUED', "lockedBy" = NULL, "lockedUntil" = NULL WHERE id = ${jobId} AND "lockedBy" = ${this.workerId}`;
        throw e;
      }
      this.log.warn(`job ${jobId} failed: ${(e as Error).message}`);
      await this.finish(job, 'FAILED', errorOf(e));
    } finally {
      clearInterval(beat);
    }
  }

  private async claim(jobId: string): Promise<InferenceJob | null> {
    const until = new Date(Date.now() + this.config.JOB_LEASE_MS);
    const rows = await this.prisma.$queryRaw<InferenceJob[]>`
      UPDATE inference_jobs SET status = 'RUNNING', "lockedBy" = ${this.workerId}, "lockedUntil" = ${until},
        attempts = attempts + 1, "startedAt" = COALESCE("startedAt", now())
      WHERE id = ${jobId} AND (status = 'QUEUED' OR (status = 'RUNNING' AND "lockedUntil" < now()))
      RETURNING *`;
    return rows[0] ?? null;
  }

  private async extendLease(jobId: string): Promise<void> {
    const until = new Date(Date.now() + this.config.JOB_LEASE_MS);
    await this.prisma
      .$executeRaw`UPDATE inference_jobs SET "lockedUntil" = ${until} WHERE id = ${jobId} AND "lockedBy" = ${this.workerId} AND status = 'RUNNING'`;
  }

  private async process(job: InferenceJob): Promise<void> {
    if (job.cancelRequestedAt) return this.finish(job, 'CANCELLED');
    const model = await this.modelOf(job);
    const instances = job.instances as unknown[];
    let done = job.done;
    let computeMs = 0;
    let batchSize = 1;
    while (done < job.total) {
      const chunk = instances.slice(done, done + this.config.JOB_CHUNK_SIZE);
      const result = await this.runtime.predict(model.spec, stackInstances(model.spec, chunk));
      computeMs += result.timing.computeMs;
      batchSize = Math.max(batchSize, result.batchSize);
      const until = new Date(Date.now() + this.config.JOB_LEASE_MS);
      const rows = await this.prisma.$queryRaw<{ cancelRequestedAt: Date | null }[]>`
        UPDATE inference_jobs SET done = ${done + chunk.length}, "lockedUntil" = ${until},
          outputs = COALESCE(outputs, '[]'::jsonb) || ${JSON.stringify(unstackOutputs(result, model.spec))}::jsonb
        WHERE id = ${job.id} AND "lockedBy" = ${this.workerId} AND status = 'RUNNING' AND done = ${done}
        RETURNING "cancelRequestedAt"`;
      if (!rows.length) throw new LeaseLost();
      done += chunk.length;
      this.metrics.counter('inference_job_instances_total', 'Instances run by async jobs', []).inc(chunk.length);
      if (rows[0].cancelRequestedAt) return this.finish(job, 'CANCELLED', null, { model, done, computeMs, batchSize });
      if (this.config.JOB_CHUNK_PAUSE_MS) await new Promise((r) => setTimeout(r, this.config.JOB_CHUNK_PAUSE_MS));
    }
    await this.finish(job, 'SUCCEEDED', null, { model, done, computeMs, batchSize });
  }

  /** The job's model version, resolved through the registry by its number (never its alias). */
  private async modelOf(job: InferenceJob): Promise<ResolvedModel> {
    // By primary key from the job row: the version is the tenant's own or the public catalog's.
    const version = await this.prisma.modelVersion.findUnique({
      where: { id: job.modelVersionId },
      include: { model: true },
    });
    if (!version) throw new InferenceError(InferenceErrorCode.MODEL_FAILED, "the job's model version no longer exists");
    return this.registry.resolve(job.tenantId, version.model.name, String(version.version));
  }

  private async finish(
    job: InferenceJob,
    status: Final,
    error: Record<string, unknown> | null = null,
    run?: { model: ResolvedModel; done: number; computeMs: number; batchSize: number },
  ): Promise<void> {
    const reservation = reservationFromJson(job.quotaReservation);
    const done = run?.done ?? 0;
    const units = status === 'FAILED' || !run ? 0 : unitsFor(run.model, done);
    const applied = await this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<{ outputs: unknown }[]>`
        UPDATE inference_jobs SET status = ${status}::"JobStatus", "finishedAt" = now(), "lockedBy" = NULL, "lockedUntil" = NULL,
          error = ${error === null ? null : JSON.stringify(error)}::jsonb, "quotaReservation" = NULL
        WHERE id = ${job.id} AND status = 'RUNNING' AND "lockedBy" = ${this.workerId}
        RETURNING outputs`;
      if (!rows.length) return false; // another worker owns or finished the job: its effects stand
      let settle = false;
      if (units > 0 && run) {
        const usage = await this.metering.record(tx, {
          tenantId: job.tenantId,
          apiKeyId: job.apiKeyId,
          userId: job.userId,
          modelId: run.model.modelId,
          modelVersionId: job.modelVersionId,
          jobId: job.id,
          requestId: job.requestId,
          idempotencyKey: job.id,
          units,
          instances: done,
          computeMs: run.computeMs,
          batchSize: run.batchSize,
        });
        settle = usage.created;
      }
      await this.audit.append(tx, job.tenantId, {
        actor: { type: 'system', id: 'worker' },
        action: 'job.complete',
        target: { type: 'inference_job', id: job.id },
        requestId: job.requestId,
        metadata: {
          status,
          worker: this.workerId,
          attempts: job.attempts,
          total: job.total,
          done,
          units,
          inputSha256: sha256Hex(JSON.stringify(job.instances)),
          outputSha256: rows[0].outputs == null ? null : sha256Hex(JSON.stringify(rows[0].outputs)),
          error,
        },
      });
      // After the audit append: a prediction's commit takes the tenant's audit head before its
      // quota counter, so every writer of both takes them in that order (no deadlock).
      if (settle && reservation) await this.quota.settle(tx, reservation, units);
      return true;
    });
    if (!applied) return;
    if (reservation && units === 0)
      await this.quota
        .release(reservation)
        .catch((e: Error) => this.log.warn(`quota release for ${job.id}: ${e.message}`));
    this.metrics.counter('inference_jobs_finished_total', 'Async jobs by final status', ['status']).inc({ status });
    if (job.webhookUrl && job.webhookSecret) {
      const finished = await this.prisma.inferenceJob.findUnique({ where: { id: job.id } });
      if (finished)
        this.webhooks.send({
          jobId: job.id,
          url: job.webhookUrl,
          secret: job.webhookSecret,
          payload: jobWebhookPayload(finished, run?.model),
        });
    }
  }
}

const unitsFor = (m: ResolvedModel, instances: number): number =>
  m.pricingUnit === 'request' ? m.unitsPer * instances : m.unitsPer * instances;

function errorOf(e: unknown): Record<string, unknown> {
  if (e instanceof AppError) return { code: e.code, reason: e.reason ?? null, message: e.message };
  return { code: 'INTERNAL', reason: 'JOB_FAILED', message: 'the job failed on the worker' };
}
