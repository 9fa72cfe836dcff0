import { Module } from '@nestjs/common';
import { ReadinessService } from '@app/common';
import { ModelsModule } from '@app/models/models.module';
import { OipController } from '../rest/oip.controller';
import { TfServingController } from '../rest/tf-serving.controller';
import { InferenceRuntime } from '../runtime/inference-runtime';
import { InferenceBootstrap } from './inference-bootstrap';
import { INFERENCE_EXECUTOR, inferenceExecutorFor } from './inference-executor';
import { PredictResolver } from './predict.resolver';
import { PredictionService } from './prediction.service';
import { TenantSettings } from './tenant-settings';

/**
 * Real-time inference: PredictionService, the GraphQL `predict` mutation and the OIP v2 and
 * TF Serving REST protocols; starts the TF.js backend. Imported as `@app/inference/prediction`
 * (not re-exported from `@app/inference`, which @app/models itself imports).
 * INFERENCE_EXECUTOR: the model runs in this process, or on a worker when WORKER_URL is set.
 * QuotaService, ConcurrencyGate and MeteringService come from the global QuotasModule and MeteringModule.
 */
@Module({
  imports: [ModelsModule],
  controllers: [OipController, TfServingController],
  providers: [
    PredictionService,
    {
      provide: INFERENCE_EXECUTOR,
      inject: [InferenceRuntime, ReadinessService],
      useFactory: (runtime: InferenceRuntime, readiness: ReadinessService) => inferenceExecutorFor(runtime, readiness),
    },
    TenantSettings,
    InferenceBootstrap,
    PredictResolver,
  ],
  exports: [PredictionService, ModelsModule],
})
export class PredictionModule {}
