import { Injectable, OnModuleInit } from '@nestjs/common';
import { ModelRegistry } from '@app/models';
import { ModelMonitor } from '@app/monitoring';
import { PredictionService } from '@app/serving';
import type { PredictionContext, PredictionInput, PredictionOptions, PredictionResult } from '@app/serving';

/**
 * Wiring at the application level until PredictionService calls `ModelMonitor.record` itself
 * (one line where it answers or fails): wraps this process's PredictionService.predict so every
 * call that reached a model version is recorded, answered or not. @app/monitoring sits below
 * @app/serving, so serving can take that call over without a cycle. A failed call is attributed to the version
 * its model resolves to now (cached, no extra query in the common case); a call to an unknown
 * model reached no model and is not counted.
 */
@Injectable()
export class PredictionMonitorHook implements OnModuleInit {
  constructor(
    private readonly predictions: PredictionService,
    private readonly registry: ModelRegistry,
    private readonly monitor: ModelMonitor,
  ) {}

  onModuleInit(): void {
    const original = this.predictions.predict.bind(this.predictions);
    this.predictions.predict = async (ctx: PredictionContext, input: PredictionInput, options?: PredictionOptions): Promise<PredictionResult> => {
      const started = performance.now();
      try {
        const r = await original(ctx, input, options);
        // An idempotent replay ran nothing: not a call to the model.
        if (r.replayed) return r;
        this.monitor.record({
          tenantId: ctx.tenantId, modelId: r.modelId, versionId: r.versionId, model: r.model, version: r.version,
          ok: true, latencyMs: r.timing.totalMs, instances: r.instances, batchSize: r.timing.batchSize, inputs: input.inputs,
        });
        return r;
      } catch (e) {
        const latencyMs = performance.now() - started;
        const m = options?.resolved ?? (await this.registry.resolve(ctx.tenantId, input.model, input.version).catch(() => null));
        if (m) this.monitor.record({ tenantId: ctx.tenantId, modelId: m.modelId, versionId: m.versionId, model: m.modelName, version: m.version, ok: false, latencyMs, instances: 0, batchSize: 0 });
        throw e;
      }
    };
  }
}
