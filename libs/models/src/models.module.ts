import { Module } from '@nestjs/common';
import { InferenceModule } from '@app/inference';
import { ARTIFACT_STORE } from './artifacts/artifact-store';
import { createArtifactStore } from './artifacts/artifact-store.factory';
import { CatalogSeeder } from './catalog/catalog-seeder';
import { MODELS_CONFIG, ModelsConfig, modelsConfigFromEnv } from './models.config';
import { ModelCatalogService } from './registry/model-catalog.service';
import { ModelRegistry } from './registry/model-registry.service';
import { ArtifactResolver } from './registry/artifact-resolver';
import { ModelResolver } from './model.resolver';
import { ModelPublisher } from './publish/model-publisher.service';
import { ModelUploadController } from './uploads/model-upload.controller';
import { ModelUploadResolver } from './uploads/model-upload.resolver';
import { ModelUploadService } from './uploads/model-upload.service';
import { OctetStreamParser } from './uploads/octet-stream.parser';
import { ModelDeletionService } from './registry/model-deletion.service';
import { ModelDownloadController } from './download/model-download.controller';
import { ModelDownloadResolver } from './download/model-download.resolver';
import { ModelDownloadService } from './download/model-download.service';

/** The model registry: catalog, tenant models, versions, aliases and their artifacts. */
@Module({
  imports: [InferenceModule],
  controllers: [ModelUploadController, ModelDownloadController],
  providers: [
    { provide: MODELS_CONFIG, useFactory: () => modelsConfigFromEnv() },
    { provide: ARTIFACT_STORE, useFactory: (c: ModelsConfig) => createArtifactStore(c), inject: [MODELS_CONFIG] },
    ArtifactResolver,
    ModelRegistry,
    ModelCatalogService,
    ModelPublisher,
    CatalogSeeder,
    ModelResolver,
    ModelUploadService,
    ModelUploadResolver,
    OctetStreamParser,
    ModelDeletionService,
    ModelDownloadService,
    ModelDownloadResolver,
  ],
  exports: [ModelRegistry, ArtifactResolver, ModelCatalogService, MODELS_CONFIG, ARTIFACT_STORE, InferenceModule],
})
export class ModelsModule {}
