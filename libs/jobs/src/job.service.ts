import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { keysetPage, newId, sha256Hex } from '@app/common';
import { InferenceJob as JobRow, Prisma, TenantPrisma } from '@app/db';
import { AuditService } from '@app/audit';
import { InferenceRuntime } from '@app/inference';
import { ModelRegistry } from '@app/models';
import { AuthenticatedPrincipal, actorOf } from '@app/auth';
import { JOB_QUEUE, JobQueue, QUEUE_CONFIG, QueueConfig } from '@app/queue';
import { checkWebhookUrl } from './webhooks/webhook-address-policy';
import { InferenceJob, InferenceJobConnection, SubmitInferenceJobInput } from './dto/inference-job.type';
import { JOB_QUOTA, JobQuotaPort, reservationFromJson } from './job-billing.ports';
import { JobError, JobErrorReason } from './job.error';
import { validateInstances } from './job-instances';
import { jobView } from './job-view';

// A job's quota hold must outlive a long queue; the quota sweeper frees it after this.
const RESERVATION_TTL_MS = 24 * 3_600_000;
const FINISHED = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/** Submit, read, list and cancel a tenant's async inference jobs. */
@Injectable()
export class JobService {
  private readonly log = new Logger('Jobs');

  constructor(
    @Inject(QUEUE_CONFIG) private readonly config: QueueConfig,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(JOB_QUOTA) private readonly quota: JobQuotaPort,
    private readonly tenants: TenantPrisma,
    private readonly registry: ModelRegistry,
    private readonly runtime: InferenceRuntime,
    private readonly audit: AuditService,
  ) {}

  async submit(
    tenantId: string,
    principal: AuthenticatedPrincipal,
    input: SubmitInferenceJobInput,
    requestId: string,
  ): Promise<InferenceJob> {
    const instances = input.instances ?? [];
    if (!instances.length)
      throw JobError.invalid(JobErrorReason.NO_INSTANCES, 'a job needs at least one instance', { field: 'instances' });
    if (instances.length > this.config.JOB_MAX_INSTANCES) {
      throw JobError.invalid(
        JobErrorReason.TOO_MANY_INSTANCES,
        `at most ${this.config.JOB_MAX_INSTANCES} instances per job`,
        { field: 'instances', max: this.config.JOB_MAX_INSTANCES },
      );
    }
    const model = await this.registry.resolve(tenantId, input.model, input.version);
    validateInstances(model.spec, instances, {
      maxInstances: this.runtime.config.maxInstances,
      maxElements: this.runtime.config.maxElements,
    });
    const webhookUrl = input.webhookUrl
      ? (await checkWebhookUrl(input.webhookUrl, this.config.ALLOW_PRIVATE_WEBHOOKS)).toString()
      : null;
    const units = model.unitsPer * instances.length;
    const reservation = await this.quota.reserve(tenantId, units, { ttlMs: RESERVATION_TTL_MS });
    let row: JobRow;
    try {
      row = await this.tenants.forTenant(tenantId).$transaction(async (tx) => {
        const job = await tx.inferenceJob.create({
          data: {
            id: newId('job'),
            tenantId,
            apiKeyId: principal.kind === 'api_key' ? principal.apiKeyId : null,
            userId: principal.kind === 'user' ? principal.userId : null,
            modelVersionId: model.versionId,
            total: instances.length,
            instances: instances as Prisma.InputJsonValue,
            webhookUrl,
            webhookSecret: webhookUrl ? `whsec_${randomBytes(24).toString('base64')}` : null,
            requestId,
            quotaReservation: reservation as unknown as Prisma.InputJsonValue,
            // For QUEUED jobs lockedUntil is when the sweeper may enqueue it again (a lost message).
            lockedUntil: new Date(Date.now() + this.config.JOB_LEASE_MS),
          },
        });
        await this.audit.append(tx, tenantId, {
          actor: actorOf(principal),
          action: 'job.submit',
          target: { type: 'inference_job', id: job.id },
          requestId,
          metadata: {
            model: model.modelName,
            version: model.version,
            instances: instances.length,
            reservedUnits: units,
            inputSha256: sha256Hex(JSON.stringify(instances)),
            webhook: !!webhookUrl,
          },
        });
        return job;
      });
    } catch (e) {
      await this.quota.release(reservation).catch(() => undefined);
      throw e;
    }
    // After commit: a worker must find the row. If this fails the sweeper enqueues it later.
    await this.queue
      .enqueue(row.id)
      .catch((e: Error) => this.log.warn(`enqueue ${row.id} failed (the sweeper will retry): ${e.message}`));
    return jobView(row, { name: model.modelName, version: model.version }, true);
  }

  async get(tenantId: string, id: string): Promise<InferenceJob> {
    const row = await this.tenants.forTenant(tenantId).inferenceJob.findUnique({ where: { id } });
    if (!row) throw JobError.jobNotFound();
    return (await this.views(tenantId, [row]))[0];
  }

  async list(tenantId: string, first = 20, after?: string | null): Promise<InferenceJobConnection> {
    keysetPage.assertSize(first);
    const db = this.tenants.forTenant(tenantId);
    const [rows, totalCount] = await Promise.all([
      db.inferenceJob.findMany({
        where: keysetPage.after(after),
        orderBy: keysetPage.orderBy,
        take: first + 1,
        omit: { instances: true },
      }),
      db.inferenceJob.count(),
    ]);
    const page = rows.slice(0, first) as JobRow[];
    const views = await this.views(tenantId, page);
    const edges = views.map((node, i) => ({ node, cursor: keysetPage.encode(page[i]!) }));
    return {
      edges,
      totalCount,
      pageInfo: { hasNextPage: rows.length > first, endCursor: edges.at(-1)?.cursor ?? null },
    };
  }

  /**
   * A QUEUED job is cancelled at once (its quota hold released); a RUNNING one stops after the
   * chunk in progress and is billed for the instances it finished. A finished job: CONFLICT.
   */
  async cancel(
    tenantId: string,
    principal: AuthenticatedPrincipal,
    id: string,
    requestId: string,
  ): Promise<InferenceJob> {
    const db = this.tenants.forTenant(tenantId);
    const result = await db.$transaction(async (tx) => {
      const job = await tx.inferenceJob.findUnique({ where: { id } });
      if (!job) throw JobError.jobNotFound();
      if (FINISHED.has(job.status)) throw JobError.finished(job.status);
      const now = new Date();
      // Conditional on the status read: a worker claiming it meanwhile makes this a request instead.
      const queued = await tx.inferenceJob.updateMany({
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
        await tx.inferenceJob.updateMany({ where: { id, status: 'RUNNING' }, data: { cancelRequestedAt: now } });
      await this.audit.append(tx, tenantId, {
        actor: actorOf(principal),
        action: 'job.cancel',
        target: { type: 'inference_job', id },
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

  private async views(tenantId: string, rows: JobRow[]): Promise<InferenceJob[]> {
    const ids = [...new Set(rows.map((r) => r.modelVersionId))];
    // Catalog versions are readable by every tenant; the scope extension allows exactly that.
    const versions = await this.tenants
      .forTenant(tenantId)
      .modelVersion.findMany({ where: { id: { in: ids } }, include: { model: { select: { name: true } } } });
    const byId = new Map(versions.map((v) => [v.id, { name: v.model.name, version: v.version }]));
    return rows.map((r) => jobView(r, byId.get(r.modelVersionId) ?? { name: '(deleted)', version: 0 }));
  }
}
