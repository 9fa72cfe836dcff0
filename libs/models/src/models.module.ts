import { Module } from '@nestjs/common';
import { InferenceModule } from '@app/inference';
import { ARTIFACT_STORE } from './artifacts/artifact-store';
import { createArtifactStore } from './artifacts/artifact-store.factory';
import { MODELS_CONFIG, ModelsConfig, modelsConfigFromEnv } from './models.config';
import { ModelRegistry } from './registry/model-registry.service';

/** The model registry: catalog, tenant models, versions, aliases and their artifacts. */
@Module({
  imports: [InferenceModule],
  providers: [
    { provide: MODELS_CONFIG, useFactory: () => modelsConfigFromEnv() },
    { provide: ARTIFACT_STORE, useFactory: (c: ModelsConfig) => createArtifactStore(c), inject: [MODELS_CONFIG] },
    ModelRegistry,
  ],
  exports: [ModelRegistry, MODELS_CONFIG, ARTIFACT_STORE, InferenceModule],
})
export class ModelsModule {}
