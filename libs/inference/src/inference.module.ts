import { Module } from '@nestjs/common';
import { InferenceRuntime } from './runtime/inference-runtime';

/** Provides the process-wide InferenceRuntime; config comes from env unless INFERENCE_CONFIG is provided. */
@Module({
  providers: [InferenceRuntime],
  exports: [InferenceRuntime],
})
export class InferenceModule {}
