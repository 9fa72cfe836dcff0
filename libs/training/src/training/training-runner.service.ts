import { hostname } from 'node:os';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { AppError, newId } from '@app/common';
import { PrismaService, TrainingJob as JobRow } from '@app/db';
import { AuditService } from '@app/audit';
import { QuotaService } from '@app/quotas';
import { JobKindHandler, JobKinds, QUEUE_CONFIG, QueueConfig } from '@app/queue';
import { DatasetService } from '../datasets/dataset.service';
import { TRAINING_CONFIG, TrainingConfig } from '../training.config';
import { TrainingError, TrainingErrorReason } from '../training.error';
import { reservationFromJson } from './reservation';
import { EpochLog, fitTabular } from './tabular-trainer';
import { prepareData } from './training-data';
import { TrainingParams } from './training-params';
import { TrainedVersionPublisher } from './trained-version.publisher';

type Final = 'FAILED' | 'CANCELLED';
class LeaseLost extends Error {}

/**
 * Runs training jobs handed out by the job queue (ids `trn_...`), under a lease on the job row
 * like the inference job runner: a claim is one conditional UPDATE, every epoch's progress is
 * written only by the lease holder, and the final state commits once. Cancellation and the
 * time limit are checked after every epoch. A failure publishes nothing and frees the hold.
 * Queries use the unscoped client: a worker acts for whichever tenant owns the job id.
 */
@Injectable()
export class TrainingRunner implements JobKindHandler, OnModuleInit {
  readonly prefix = 'trn';
  readonly workerId = `${hostname()}:${process.pid}:${newId('req').slice(4, 12)}`;
  private readonly log = new Logger('TrainingRunner');

  constructor(
    private readonly prisma: PrismaService,
    private readonly kinds: JobKinds,
    private readonly datasets: DatasetService,
    private readonly publisher: TrainedVersionPublisher,
    private readonly audit: AuditService,
    private readonly quota: QuotaService,
    @Inject(QUEUE_CONFIG) private readonly queueConfig: QueueConfig,
    @Inject(TRAINING_CONFIG) private readonly config: TrainingConfig,
  ) {}

  onModuleInit(): void {
    this.kinds.register(this);
  }

  /** For the consumer's sweep: QUEUED jobs whose message was lost and RUNNING ones whose worker died. */
  async lost(): Promise<string[]> {
    const until = new Date(Date.now() + this.queueConfig.JOB_LEASE_MS);
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      UPDATE training_jobs SET "lockedUntil" = ${until}
      WHERE status IN ('QUEUED', 'RUNNING') AND ("lockedUntil" IS NULL OR "lockedUntil" < now()) RETURNING id`;
    return rows.map((r) => r.id);
  }

  async run(jobId: string): Promise<void> {
    const job = await this.claim(jobId);
    if (!job) return;
    const beat = setInterval(
      () => void this.extendLease(jobId).catch(() => undefined),
      Math.max(100, this.queueConfig.JOB_LEASE_MS / 3),
    );
    try {
      if (job.cancelRequestedAt) return await this.finish(job, 'CANCELLED');
      await this.train(job);
    } catch (e) {
      if (e instanceof LeaseLost) return;
      this.log.warn(`training ${jobId} failed: ${(e as Error).message}`);
      await this.finish(job, 'FAILED', errorOf(e));
    } finally {
      clearInterval(beat);
    }
  }

  private async train(job: JobRow): Promise<void> {
    const params = job.params as unknown as TrainingParams;
    const { table } = await this.datasets.table(job.tenantId, job.datasetId);
    const data = prepareData(table, params, this.config.minRows, this.config.vocabulary);
    await this.prisma
      .$executeRaw`UPDATE training_jobs SET params = params || ${JSON.stringify({ resolvedTask: data.task })}::jsonb WHERE id = ${job.id} AND "lockedBy" = ${this.workerId}`;
    const started = Date.now();
    let stop: 'lost' | 'cancel' | 'time' | null = null;
    const fit = await fitTabular({
      task: data.task,
      classes: data.labels?.length ?? 1,
      targetScale: data.targetScale,
      params,
      train: data.train,
      validation: data.validation,
      onEpoch: async (log) => {
        stop = await this.progress(job, log, started);
        return stop !== null;
      },
    });
    try {
      if (stop === 'lost') throw new LeaseLost();
      if (stop === 'cancel') return await this.finish(job, 'CANCELLED', null, fit.fitMs);
      if (fit.diverged)
        throw TrainingError.invalid(
          TrainingErrorReason.DIVERGED,
          'training diverged (the loss became NaN or infinite): lower the learning rate',
          { epoch: fit.history.length },
        );
      if (stop === 'time')
        throw TrainingError.invalid(
          TrainingErrorReason.TIME_LIMIT,
          `training ran past its limit of ${this.config.maxSeconds} s`,
          { limit: this.config.maxSeconds },
        );
      const applied = await this.publisher.publish(job, this.workerId, params, table, data, fit);
      if (applied)
        this.log.log(
          `training ${job.id} published a version (${fit.history.length} epochs, ${Math.round(fit.fitMs)} ms)`,
        );
    } finally {
      fit.model.optimizer?.dispose();
      fit.model.dispose();
    }
  }

  /** Writes one epoch's progress under the lease; says whether (and why) to stop. */
  private async progress(job: JobRow, log: EpochLog, started: number): Promise<'lost' | 'cancel' | 'time' | null> {
    const until = new Date(Date.now() + this.queueConfig.JOB_LEASE_MS);
    const rows = await this.prisma.$queryRaw<{ cancelRequestedAt: Date | null }[]>`
      UPDATE training_jobs SET history = history || ${JSON.stringify([log])}::jsonb, "lockedUntil" = ${until}, "computeMs" = ${Date.now() - started}
      WHERE id = ${job.id} AND "lockedBy" = ${this.workerId} AND status = 'RUNNING' RETURNING "cancelRequestedAt"`;
    if (!rows.length) return 'lost';
    if (rows[0].cancelRequestedAt) return 'cancel';
    return Date.now() - started > this.config.maxSeconds * 1000 ? 'time' : null;
  }

  private async claim(jobId: string): Promise<JobRow | null> {
    const until = new Date(Date.now() + this.queueConfig.JOB_LEASE_MS);
    // A redelivered job starts over: its history is of the attempt that was lost.
    const rows = await this.prisma.$queryRaw<JobRow[]>`
      UPDATE training_jobs SET status = 'RUNNING', "lockedBy" = ${this.workerId}, "lockedUntil" = ${until}, attempts = attempts + 1,
        "startedAt" = COALESCE("startedAt", now()), history = '[]'::jsonb
      WHERE id = ${jobId} AND (status = 'QUEUED' OR (status = 'RUNNING' AND "lockedUntil" < now())) RETURNING *`;
    return rows[0] ?? null;
  }

  private async extendLease(jobId: string): Promise<void> {
    const until = new Date(Date.now() + this.queueConfig.JOB_LEASE_MS);
    await this.prisma
      .$executeRaw`UPDATE training_jobs SET "lockedUntil" = ${until} WHERE id = ${jobId} AND "lockedBy" = ${this.workerId} AND status = 'RUNNING'`;
  }

  /** FAILED or CANCELLED: nothing published, nothing billed, the hold released. */
  private async finish(
    job: JobRow,
    status: Final,
    error: Record<string, unknown> | null = null,
    computeMs = 0,
  ): Promise<void> {
    const applied = await this.prisma.$transaction(async (tx) => {
      const updated = await tx.$executeRaw`
        UPDATE training_jobs SET status = ${status}::"JobStatus", "finishedAt" = now(), "lockedBy" = NULL, "lockedUntil" = NULL,
          error = ${error === null ? null : JSON.stringify(error)}::jsonb, "quotaReservation" = NULL, "computeMs" = ${computeMs}
        WHERE id = ${job.id} AND status = 'RUNNING' AND "lockedBy" = ${this.workerId}`;
      if (!updated) return false;
      await this.audit.append(tx, job.tenantId, {
        actor: { type: 'system', id: 'worker' },
        action: 'training.complete',
        target: { type: 'training_job', id: job.id },
        requestId: job.requestId,
        metadata: { status, worker: this.workerId, attempts: job.attempts, units: 0, error },
      });
      return true;
    });
    const reservation = reservationFromJson(job.quotaReservation);
    if (applied && reservation)
      await this.quota
        .release(reservation)
        .catch((e: Error) => this.log.warn(`quota release for ${job.id}: ${e.message}`));
  }
}

function errorOf(e: unknown): Record<string, unknown> {
  if (e instanceof AppError) return { code: e.code, reason: e.reason ?? null, message: e.message };
  return { code: 'INTERNAL', reason: 'TRAINING_FAILED', message: 'training failed on the worker' };
}
