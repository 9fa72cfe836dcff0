import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { MetricsService, ReadinessService } from '@app/common';
import { InferenceRuntime } from '../runtime/inference-runtime';

/**
 * Picks the TF.js backend at start (a forced TFJS_BACKEND that cannot load stops the app),
 * and reports it in /readyz and /metrics.
 */
@Injectable()
export class InferenceBootstrap implements OnModuleInit {
  private readonly log = new Logger('Inference');

  constructor(
    private readonly runtime: InferenceRuntime,
    private readonly readiness: ReadinessService,
    private readonly metrics: MetricsService,
  ) {}

  async onModuleInit(): Promise<void> {
    const backend = await this.runtime.init();
    this.log.log(`TF.js backend: ${backend}`);
    this.metrics.gauge('inference_backend_info', 'The TF.js backend in use (value 1)', ['backend']).set({ backend }, 1);
    this.readiness.register('inference', async () => {
      const { numTensors, cache } = this.runtime.memory();
      return { backend: this.runtime.backendName, models: cache.models, numTensors };
    });
  }
}
