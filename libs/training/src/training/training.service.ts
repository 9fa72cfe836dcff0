import { Inject, Injectable, Logger } from '@nestjs/common';
import { keysetPage, newId } from '@app/common';
import { Prisma, TrainingJob as JobRow, TenantPrisma } from '@app/db';
import { AuditService } from '@app/audit';
import { MODEL_NAME, ModelError, ModelErrorReason, versionView } from '@app/models';
import { QuotaService } from '@app/quotas';
import { reservationFromJson } from './reservation';
import { JOB_QUEUE, JobQueue, QUEUE_CONFIG, QueueConfig } from '@app/queue';
import { AuthenticatedPrincipal, actorOf } from '@app/auth';
import { ColumnInfo } from '../datasets/dataset-table';
import { DatasetService } from '../datasets/dataset.service';
import { TRAINING_CONFIG, TrainingConfig } from '../training.config';
import { TrainingError } from '../training.error';
import { trainingJobView } from './training-job.view';
import { trainingParams } from './training-params';
import { StartTrainingInput, TrainingJob, TrainingJobConnection } from './training.types';

// The hold must outlive a long queue; the quota sweeper frees it after this.
const RESERVATION_TTL_MS = 24 * 3_600_000;
const FINISHED = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/** Starts, reads, lists and cancels a tenant's training jobs; a worker runs them (TrainingRunner). */
@Injectable()
export class TrainingService {
  private readonly log = new Logger('Training');

  constructor(
    private readonly tenants: TenantPrisma,
    private readonly audit: AuditService,
    private readonly datasets: DatasetService,
    private readonly quota: QuotaService,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(QUEUE_CONFIG) private readonly queueConfig: QueueConfig,
    @Inject(TRAINING_CONFIG) private readonly config: TrainingConfig,
  ) {}

  async start(
    tenantId: string,
    principal: AuthenticatedPrincipal,
    input: StartTrainingInput,
    requestId: string,
  ): Promise<TrainingJob> {
    const dataset = await this.datasets.row(tenantId, input.dataset);
    const params = trainingParams(input, dataset.columns as unknown as ColumnInfo[], this.config.maxColumns);
    if (!MODEL_NAME.test(input.model))
      throw ModelError.invalid(ModelErrorReason.INVALID_NAME, 'model name: 1-64 lower-case letters, digits, - or _', {
        field: 'model',
      });
    // The hold covers the longest a job may run; the runner settles what it used.
    const reservation = await this.quota.reserve(tenantId, this.config.maxSeconds * this.config.unitsPerSecond, {
      ttlMs: RESERVATION_TTL_MS,
    });
    const actor = actorOf(principal);
    let row: JobRow;
    try {
      row = await this.tenants.forTenant(tenantId).$transaction(async (tx) => {
        let model = await tx.model.findFirst({ where: { name: input.model, tenantId } });
        if (!model) {
          const task = params.task ? `tabular-${params.task.toLowerCase()}` : 'tabular';
          model = await tx.model.create({
            data: {
              id: newId('mdl'),
              tenantId,
              namespace: tenantId,
              name: input.model,
              description: `Trained on dataset ${dataset.name}`,
              task,
            },
          });
          await this.audit.append(tx, tenantId, {
            actor,
            action: 'model.create',
            target: { type: 'model', id: model.id },
            requestId,
            metadata: { name: input.model, task, by: 'training' },
          });
        }
        const job = await tx.trainingJob.create({
          data: {
            id: newId('trn'),
            tenantId,
            modelId: model.id,
            datasetId: dataset.id,
            requestId,
            apiKeyId: principal.kind === 'api_key' ? principal.apiKeyId : null,
            userId: principal.kind === 'user' ? principal.userId : null,
            params: params as unknown as Prisma.InputJsonValue,
            quotaReservation: reservation as unknown as Prisma.InputJsonValue,
            // For a QUEUED job lockedUntil is when the sweeper may enqueue it again (a lost message).
            lockedUntil: new Date(Date.now() + this.queueConfig.JOB_LEASE_MS),
          },
        });
        await this.audit.append(tx, tenantId, {
          actor,
          action: 'training.start',
          target: { type: 'training_job', id: job.id },
          requestId,
          metadata: {
            model: input.model,
            dataset: dataset.id,
            datasetSha256: dataset.sha256,
            params,
            reservedUnits: reservation.units,
          },
        });
        return job;
      });
    } catch (e) {
      await this.quota.release(reservation).catch(() => undefined);
      throw e;
    }
    await this.queue
      .enqueue(row.id)
      .catch((e: Error) => this.log.warn(`enqueue ${row.id} failed (the sweeper will retry): ${e.message}`));
    return this.get(tenantId, row.id);
  }

  async get(tenantId: string, id: string): Promise<TrainingJob> {
    const row = await this.tenants.forTenant(tenantId).trainingJob.findUnique({ where: { id } });
    if (!row) throw TrainingError.missing('training job');
    return (await this.views(tenantId, [row]))[0];
  }

  async list(tenantId: string, first = 20, after?: string | null): Promise<TrainingJobConnection> {
    keysetPage.assertSize(first);
    const db = this.tenants.forTenant(tenantId);
    const [rows, totalCount] = await Promise.all([
      db.trainingJob.findMany({ where: keysetPage.after(after), orderBy: keysetPage.orderBy, take: first + 1 }),
      db.trainingJob.count(),
    ]);
    const page = rows.slice(0, first);
    const views = await this.views(tenantId, page);
    const edges = views.map((node, i) => ({ node, cursor: keysetPage.encode(page[i]!) }));
    return {
      edges,
      totalCount,
      pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  /** QUEUED: cancelled at once, its hold released. RUNNING: stops after the epoch in progress. Finished: CONFLICT. */
  async cancel(
    tenantId: string,
    principal: AuthenticatedPrincipal,
    id: string,
    requestId: string,
  ): Promise<TrainingJob> {
    const result = await this.tenants.forTenant(tenantId).$transaction(async (tx) => {
      const job = await tx.trainingJob.findUnique({ where: { id } });
      if (!job) throw TrainingError.missing('training job');
      if (FINISHED.has(job.status)) throw TrainingError.finished(job.status);
      const now = new Date();
      const queued = await tx.trainingJob.updateMany({
        where: { id, status: 'QUEUED' },
        data: {
          status: 'CANCELLED',
          cancelRequestedAt: now,
          finishedAt: now,
          lockedUntil: null,
          quotaReservation: Prisma.DbNull,
        },
      });
      if (!queued.count)
        await tx.trainingJob.updateMany({ where: { id, status: 'RUNNING' }, data: { cancelRequestedAt: now } });
      await this.audit.append(tx, tenantId, {
        actor: actorOf(principal),
        action: 'training.cancel',
        target: { type: 'training_job', id },
        requestId,
        metadata: { statusBefore: job.status, immediate: queued.count > 0 },
      });
      return { job, immediate: queued.count > 0 };
    });
    const reservation = reservationFromJson(result.job.quotaReservation);
    if (result.immediate && reservation)
      await this.quota.release(reservation).catch((e: Error) => this.log.warn(`quota release for ${id}: ${e.message}`));
    return this.get(tenantId, id);
  }

  private async views(tenantId: string, rows: JobRow[]): Promise<TrainingJob[]> {
    const db = this.tenants.forTenant(tenantId);
    const models = await db.model.findMany({
      where: { id: { in: [...new Set(rows.map((r) => r.modelId))] } },
      select: { id: true, name: true },
    });
    const versionIds = rows.flatMap((r) => (r.modelVersionId ? [r.modelVersionId] : []));
    const versions = versionIds.length ? await db.modelVersion.findMany({ where: { id: { in: versionIds } } }) : [];
    const names = new Map(models.map((m) => [m.id, m.name]));
    const byId = new Map(versions.map((v) => [v.id, versionView(v)]));
    return rows.map((r) =>
      trainingJobView(
        r,
        names.get(r.modelId) ?? '(deleted)',
        r.modelVersionId ? (byId.get(r.modelVersionId) ?? null) : null,
      ),
    );
  }
}
