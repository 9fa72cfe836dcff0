import { Inject, Injectable, Logger } from '@nestjs/common';
import { newId, sha256Hex } from '@app/common';
import {
  INFERENCE_EXECUTOR,
  InferenceError,
  InferenceErrorCode,
  InferenceRuntime,
  checkInputs,
  type InferenceExecutor,
  type InferenceInputs,
  type PredictResult,
} from '@app/inference';
import { IdempotencyStore, Ledger } from '@app/ledger';
import { ModelRegistry, type ResolvedModel } from '@app/models';
import { ModelMonitor } from '@app/monitoring';
import { AdmissionService, QuotaLeases, type Admitted, type QuotaTicket, type RateLimitedError } from '@app/quotas';
import { failedAudit, round, succeededAudit } from './prediction-effects';
import type { PredictionContext, PredictionInput, PredictionOptions, PredictionResult } from './prediction.types';
import { TenantSettings } from './tenant-settings';
import { unitsFor } from './usage-units';

export type { PredictionContext, PredictionInput, PredictionResult } from './prediction.types';

/**
 * One prediction, the same for GraphQL and both REST protocols: resolve the version, validate
 * the input against its signature, then (nothing is held before that) admission against the
 * plan's rate and concurrency limits (one limiter round trip), units from this process's quota
 * lease (memory), the model run, and every effect through the ledger's group commit. It answers
 * only once its batch committed. A failure gives its units back and leaves only its audit event.
 */
@Injectable()
export class PredictionService {
  private readonly log = new Logger('Prediction');

  constructor(
    private readonly registry: ModelRegistry,
    private readonly runtime: InferenceRuntime,
    private readonly admission: AdmissionService,
    private readonly leases: QuotaLeases,
    private readonly ledger: Ledger,
    private readonly idempotency: IdempotencyStore,
    private readonly settings: TenantSettings,
    private readonly monitor: ModelMonitor,
    // In-process runtime or the worker (WORKER_URL): chosen once at start in ServingModule.
    @Inject(INFERENCE_EXECUTOR) private readonly executor: InferenceExecutor,
  ) {}

  async predict(
    ctx: PredictionContext,
    input: PredictionInput,
    options: PredictionOptions = {},
  ): Promise<PredictionResult> {
    const started = performance.now();
    const model = options.resolved ?? (await this.registry.resolve(ctx.tenantId, input.model, input.version));
    try {
      const result = await this.admitAndRun(ctx, model, input, options, started);
      // A replay ran nothing: not a call to the model.
      if (!result.replayed)
        this.observe(ctx, model, true, result.timing.totalMs, result.instances, result.timing.batchSize, input.inputs);
      return result;
    } catch (e) {
      this.observe(ctx, model, false, performance.now() - started, 0, 0);
      throw e;
    }
  }

  private async admitAndRun(
    ctx: PredictionContext,
    model: ResolvedModel,
    input: PredictionInput,
    options: PredictionOptions,
    started: number,
  ): Promise<PredictionResult> {
    // Every call counts against the rate limits, bad ones too; only valid ones take quota.
    const admitted = ctx.principal ? await this.admit(ctx) : null;
    try {
      let inputs: Instances;
      try {
        inputs = this.instancesOf(model, input.inputs);
      } catch (e) {
        await this.auditFailure(ctx, model, input.inputs, e, started, newId('prd'));
        throw e;
      }
      const key = ctx.idempotencyKey;
      if (key) {
        const hash = sha256Hex(
          JSON.stringify([model.modelName, model.version, inputs.raw, options.requestExtras ?? null]),
        );
        const claim = await this.idempotency.claim(ctx.tenantId, key, hash);
        if (claim.kind === 'replay') return { ...(claim.response as PredictionResult), replayed: true };
      }
      try {
        const ticket = await this.leases.take(ctx.tenantId, unitsFor(model.pricingUnit, model.unitsPer, inputs.count));
        return await this.run(ctx, model, inputs.raw, ticket, started);
      } catch (e) {
        if (key) await this.idempotency.release(ctx.tenantId, key).catch(() => undefined);
        throw e;
      }
    } finally {
      admitted?.release();
    }
  }

  /** Per-model monitoring (calls, errors, latency, drift): in memory, written per minute off the path. */
  private observe(
    ctx: PredictionContext,
    model: ResolvedModel,
    ok: boolean,
    latencyMs: number,
    instances: number,
    batchSize: number,
    inputs?: unknown,
  ): void {
    this.monitor.record({
      tenantId: ctx.tenantId,
      modelId: model.modelId,
      versionId: model.versionId,
      model: model.modelName,
      version: model.version,
      ok,
      latencyMs,
      instances,
      batchSize,
      inputs,
    });
  }

  private async admit(ctx: PredictionContext): Promise<Admitted | null> {
    try {
      const admitted = await this.admission.admit(ctx.principal!, { slot: true });
      if (admitted) ctx.onRate?.(admitted.rate);
      return admitted;
    } catch (e) {
      const decision = (e as Partial<RateLimitedError>).decision;
      if (decision) ctx.onRate?.(decision);
      throw e;
    }
  }

  /** A failed call's audit event, through the ledger like every other effect; losing it must not hide the real error. */
  private async auditFailure(
    ctx: PredictionContext,
    model: ResolvedModel,
    inputs: unknown,
    error: unknown,
    started: number,
    id: string,
  ): Promise<void> {
    await this.ledger
      .write({ tenantId: ctx.tenantId, audit: failedAudit(ctx, model, inputs, error, performance.now() - started, id) })
      .catch((err) => this.log.warn(`audit of a failed prediction failed: ${(err as Error).message}`));
  }

  private async run(
    ctx: PredictionContext,
    model: ResolvedModel,
    inputs: InferenceInputs,
    ticket: QuotaTicket,
    started: number,
  ): Promise<PredictionResult> {
    const id = newId('prd');
    let run: PredictResult;
    try {
      run = await this.executor.predict(model.spec, inputs);
    } catch (e) {
      this.leases.giveBack(ticket);
      await this.auditFailure(ctx, model, inputs, e, started, id);
      throw e;
    }
    const units = unitsFor(model.pricingUnit, model.unitsPer, run.instances);
    const result: PredictionResult = {
      id,
      outputs: run.outputs as Record<string, unknown>,
      model: model.modelName,
      version: model.version,
      usage: { units },
      timing: {
        queueMs: run.timing.queueMs,
        batchSize: run.batchSize,
        computeMs: run.timing.computeMs,
        totalMs: round(performance.now() - started),
      },
      labels: model.spec.labels,
      instances: run.instances,
      outputSignature: model.spec.outputs,
      modelId: model.modelId,
      versionId: model.versionId,
      replayed: false,
    };
    const payload = await this.settings.payloadLogging(ctx.tenantId);
    try {
      await this.ledger.write({
        tenantId: ctx.tenantId,
        usage: {
          tenantId: ctx.tenantId,
          apiKeyId: ctx.apiKeyId,
          userId: ctx.userId,
          modelId: model.modelId,
          modelVersionId: model.versionId,
          requestId: ctx.requestId,
          idempotencyKey: id,
          units,
          instances: run.instances,
          computeMs: run.computeShareMs,
          batchSize: run.batchSize,
        },
        audit: succeededAudit(ctx, model, inputs, result, payload),
        quota: { ticket, used: Math.min(units, ticket.units) },
        idempotency: ctx.idempotencyKey ? { key: ctx.idempotencyKey, response: result } : undefined,
      });
    } catch (e) {
      this.leases.giveBack(ticket);
      this.log.error(`prediction ${id} could not be recorded: ${(e as Error).message}`);
      throw e;
    }
    return result;
  }

  /**
   * Checks the input against the version's signature before anything is held, and counts its
   * instances (what the quota takes). Image models count their encoded images; decoding them is
   * the runtime's (a bad image fails the run, which bills nothing).
   */
  private instancesOf(model: ResolvedModel, value: unknown): Instances {
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw new InferenceError(InferenceErrorCode.INVALID_INPUT, 'inputs must be an object of input name to values');
    }
    const raw = value as InferenceInputs;
    const limits = this.runtime.limitsFor(model.spec);
    if (model.spec.preprocess === 'image') {
      const first = raw[model.spec.inputs[0]?.name ?? ''];
      const count = Array.isArray(first) ? first.length : first === undefined ? 0 : 1;
      if (count > limits.maxInstances) {
        throw new InferenceError(
          InferenceErrorCode.TOO_MANY_INSTANCES,
          `at most ${limits.maxInstances} instances per request`,
          { limit: limits.maxInstances },
        );
      }
      return { raw, count: Math.max(count, 1) };
    }
    try {
      return { raw, count: checkInputs(model.spec, raw, limits).instances };
    } catch (e) {
      if (e instanceof RangeError)
        throw new InferenceError(InferenceErrorCode.INVALID_INPUT, 'inputs are nested too deeply');
      throw e;
    }
  }
}

interface Instances {
  raw: InferenceInputs;
  count: number;
}
