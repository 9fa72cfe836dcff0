import { Module } from '@nestjs/common';
import { ReadinessService } from '@app/common';
import { INFERENCE_EXECUTOR, InferenceBootstrap, InferenceRuntime, inferenceExecutorFor } from '@app/inference';
import { ModelsModule } from '@app/models';
import { OipController } from './rest/oip.controller';
import { TfServingController } from './rest/tf-serving.controller';
import { PredictionResolver } from './prediction.resolver';
import { PredictionService } from './prediction.service';
import { TenantSettings } from './tenant-settings';

/**
 * Real-time inference: PredictionService, the GraphQL `predict` mutation and the OIP v2 and
 * TF Serving REST protocols; starts the TF.js backend. INFERENCE_EXECUTOR: the model runs in
 * this process, or on a worker when WORKER_URL is set. The ledger, quotas and metering come
 * from their global modules.
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
    PredictionResolver,
  ],
  exports: [PredictionService, ModelsModule],
})
export class ServingModule {}
