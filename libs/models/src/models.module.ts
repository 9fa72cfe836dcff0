import { Module } from '@nestjs/common';
import { InferenceModule } from '@app/inference';
import type { BlobStore } from '@app/storage';
import { ARTIFACT_STORE, UPLOAD_STAGING } from './artifacts/artifact-store';
import { createArtifactStore, createBlobStores } from './artifacts/artifact-store.factory';
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
import { StorageController } from './uploads/storage.controller';
import { ModelDeletionService } from './registry/model-deletion.service';
import { ModelDownloadController } from './download/model-download.controller';
import { ModelDownloadResolver } from './download/model-download.resolver';
import { ModelDownloadService } from './download/model-download.service';

const BLOB_STORES = Symbol('BLOB_STORES');
type Stores = { artifacts: BlobStore; staging: BlobStore };

/** The model registry: catalog, tenant models, versions, aliases and their artifacts. */
@Module({
  imports: [InferenceModule],
  controllers: [ModelUploadController, ModelDownloadController, StorageController],
  providers: [
    { provide: MODELS_CONFIG, useFactory: () => modelsConfigFromEnv() },
    { provide: BLOB_STORES, useFactory: (c: ModelsConfig) => createBlobStores(c), inject: [MODELS_CONFIG] },
    {
      provide: ARTIFACT_STORE,
      useFactory: (c: ModelsConfig, b: Stores) => createArtifactStore(c, b.artifacts),
      inject: [MODELS_CONFIG, BLOB_STORES],
    },
    { provide: UPLOAD_STAGING, useFactory: (b: Stores) => b.staging, inject: [BLOB_STORES] },
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
  exports: [
    ModelRegistry,
    ArtifactResolver,
    ModelCatalogService,
    MODELS_CONFIG,
    ARTIFACT_STORE,
    UPLOAD_STAGING,
    InferenceModule,
  ],
})
export class ModelsModule {}
