import { Module } from '@nestjs/common';
import { INFERENCE_CONFIG, InferenceConfig } from './runtime/inference-config';
import { InferenceRuntime } from './runtime/inference-runtime';

/**
 * Provides the process-wide InferenceRuntime. Configuration comes from the environment
 * (inferenceConfigFromEnv) unless a provider for INFERENCE_CONFIG is given. Call
 * `runtime.init()` at start-up (e.g. in onApplicationBootstrap) so a bad TFJS_BACKEND fails fast.
 */
@Module({
  providers: [
    {
      provide: InferenceRuntime,
      useFactory: (config?: InferenceConfig) => new InferenceRuntime(config),
      inject: [{ token: INFERENCE_CONFIG, optional: true }],
    },
  ],
  exports: [InferenceRuntime],
})
export class InferenceModule {}
