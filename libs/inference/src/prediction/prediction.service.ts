import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, sha256Hex } from '@app/common';
import { PrismaService } from '@app/db';
import { AuditService, type AuditEntry } from '@app/audit';
import { ModelRegistry, ResolvedModel } from '@app/models/registry/model-registry.service';
import { InferenceRuntime, PredictResult } from '../runtime/inference-runtime';
import { InferenceInputs } from '../signature/model-signature';
import { invalidInput } from '../errors/inference.error';
import { ConcurrencyGate, QuotaService } from '@app/quotas';
import { MeteringService } from '@app/metering';
import type { QuotaReservation } from '@app/quotas';
import { PredictionContext, PredictionInput, PredictionResult } from './prediction.types';
import { TenantSettings } from './tenant-settings';
import { INFERENCE_EXECUTOR, InferenceExecutor } from './inference-executor';
import { estimateInstances, unitsFor } from './usage-units';

export type { PredictionContext, PredictionInput, PredictionResult } from './prediction.types';

/**
 * One prediction with its effects: quota held before the model runs, then usage, quota and
 * audit committed together in one SQL statement. A failed inference releases the hold and bills
 * nothing. Shared by GraphQL, the REST protocols and the async worker.
 */
@Injectable()
export class PredictionService {
  private readonly log = new Logger('Prediction');

  constructor(
    private readonly registry: ModelRegistry,
    private readonly runtime: InferenceRuntime,
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
    private readonly settings: TenantSettings,
    private readonly quota: QuotaService,
    private readonly metering: MeteringService,
    private readonly gate: ConcurrencyGate,
    // In-process runtime or the worker (WORKER_URL): chosen once at start in PredictionModule.
    @Inject(INFERENCE_EXECUTOR) private readonly executor: InferenceExecutor,
  ) {}

  async predict(ctx: PredictionContext, input: PredictionInput): Promise<PredictionResult> {
    // Real-time requests hold one of the plan's concurrent-request slots; jobs have their own gate.
    const slot = ctx.jobId ? undefined : await this.gate.acquire(ctx.tenantId, 'requests');
    try {
      return await this.run(ctx, input);
    } finally {
      await slot?.release().catch(() => undefined);
    }
  }

  private async run(ctx: PredictionContext, input: PredictionInput): Promise<PredictionResult> {
    const started = performance.now();
    const model = await this.registry.resolve(ctx.tenantId, input.model, input.version);
    if (!input.inputs || typeof input.inputs !== 'object' || Array.isArray(input.inputs)) {
      throw invalidInput('inputs must be an object of input name to values');
    }
    const inputs = input.inputs as InferenceInputs;
    const estimate = unitsFor(model.pricingUnit, model.unitsPer, estimateInstances(inputs, this.runtime.config.maxInstances));
    const reservation = await this.quota.reserve(ctx.tenantId, estimate);
    let result: PredictResult;
    try {
      result = await this.executor.predict(model.spec, inputs);
    } catch (e) {
      await this.quota.release(reservation).catch((err) => this.log.warn(`quota release failed: ${(err as Error).message}`));
      await this.auditFailure(ctx, model, inputs, e, performance.now() - started);
      throw e;
    }
    const units = unitsFor(model.pricingUnit, model.unitsPer, result.instances);
    const outputs = result.outputs as Record<string, unknown>;
    try {
      await this.commit(ctx, model, inputs, outputs, result, units, reservation, performance.now() - started);
    } catch (e) {
      await this.quota.release(reservation).catch(() => undefined);
      throw e;
    }
    return {
      outputs,
      model: model.modelName,
      version: model.version,
      usage: { units },
      timing: {
        queueMs: result.timing.queueMs,
        batchSize: result.batchSize,
        computeMs: result.timing.computeMs,
        totalMs: round(performance.now() - started),
      },
      labelled: result.labelled,
      instances: result.instances,
      outputSignature: model.spec.outputs,
      modelId: model.modelId,
      versionId: model.versionId,
    };
  }

  private async commit(
    ctx: PredictionContext, model: ResolvedModel, inputs: unknown, outputs: unknown, result: PredictResult,
    units: number, reservation: QuotaReservation, latencyMs: number,
  ): Promise<void> {
    const payload = await this.settings.payloadLogging(ctx.tenantId);
    const usage = {
      tenantId: ctx.tenantId,
      apiKeyId: ctx.apiKeyId,
      userId: ctx.userId,
      modelId: model.modelId,
      modelVersionId: model.versionId,
      jobId: ctx.jobId ?? null,
      requestId: ctx.requestId,
      idempotencyKey: ctx.idempotencyKey ?? ctx.jobId ?? ctx.requestId,
      units,
      instances: result.instances,
      computeMs: result.computeShareMs,
      batchSize: result.batchSize,
    };
    const entry: AuditEntry = {
      actor: ctx.actor,
      action: 'inference.predict',
      target: { type: 'model_version', id: model.versionId },
      requestId: ctx.requestId,
      metadata: {
        ...this.describe(model, inputs, 'succeeded', latencyMs),
        outputSha256: sha256Hex(JSON.stringify(outputs)),
        units,
        instances: result.instances,
        ...(payload ? { inputs, outputs } : {}),
      },
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      // ONE statement, atomic by itself (no interactive transaction): the usage record (+ outbox
      // row); only if it was inserted, the audit append; only if that was appended, the quota
      // settle. The tenant's audit head and quota counter rows are locked only while this
      // statement runs, never across round trips through the event loop; the head is taken
      // before the counter (settle depends on the append), as in every other writer of both.
      // The usage is inserted only where the tenant has an audit chain head, so it never
      // commits without its audit event.
      const chain = this.audit.chainExists(ctx.tenantId);
      const rec = this.metering.recordCte(usage, { onlyIf: chain });
      const audit = this.audit.appendCte(ctx.tenantId, entry, { onlyIf: rec.created });
      const settle = this.quota.settleCte(reservation, units, { onlyIf: audit.appended });
      const [row] = await this.prisma.$queryRaw<{ usageId: string | null; seq: bigint | null; chain: boolean; thresholds: number[] | null }[]>`
        WITH ${rec.ctes}, ${audit.ctes}, ${settle.ctes}
        SELECT ${rec.insertedId} AS "usageId", ${audit.seq} AS seq, ${chain} AS chain, ${settle.thresholds} AS thresholds`;
      if (row?.usageId) {
        if (row.seq === null) throw new Error(`prediction ${ctx.requestId}: usage committed without its audit event`);
        this.quota.reportAlerts(ctx.tenantId, row.thresholds);
        return;
      }
      if (!row?.chain) {
        // The tenant's first audit event: nothing was written; create its chain head and retry.
        if (attempt > 0) break;
        await this.audit.createChain(this.prisma, ctx.tenantId);
        continue;
      }
      // Already recorded (a replayed idempotency key, a retried job): its quota and audit were
      // settled the first time. Another tenant's key is a CONFLICT (run() releases the hold).
      await this.metering.replayOf(this.prisma, usage);
      await this.quota.release(reservation);
      return;
    }
    throw new Error(`audit chain head for tenant ${ctx.tenantId} could not be created`);
  }

  /** A failed run leaves an audit record (no usage); losing it must not hide the real error. */
  private async auditFailure(ctx: PredictionContext, model: ResolvedModel, inputs: unknown, error: unknown, latencyMs: number): Promise<void> {
    try {
      const e = error instanceof AppError ? error : undefined;
      // append() is one statement: no transaction needed around it.
      await this.audit.append(this.prisma, ctx.tenantId, {
        actor: ctx.actor,
        action: 'inference.predict',
        target: { type: 'model_version', id: model.versionId },
        requestId: ctx.requestId,
        metadata: { ...this.describe(model, inputs, 'failed', latencyMs), units: 0, error: { code: e?.code ?? 'INTERNAL', reason: e?.reason ?? null } },
      });
    } catch (e) {
      this.log.warn(`audit of a failed prediction failed: ${(e as Error).message}`);
    }
  }

  private describe(model: ResolvedModel, inputs: unknown, status: string, latencyMs: number): Record<string, unknown> {
    return { model: model.modelName, version: model.version, inputSha256: sha256Hex(JSON.stringify(inputs)), status, latencyMs: round(latencyMs) };
  }
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
