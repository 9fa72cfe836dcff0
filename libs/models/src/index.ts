/**
 * @app/models: the model registry.
 * - `ModelsModule` provides `ModelRegistry.resolve(tenantId, name, version?)` -> `ResolvedModel`
 *   (version: number string or alias, default `stable`; NOT_FOUND for unknown or another
 *   tenant's model), the artifact store (content-addressed over a local folder or S3) and the
 *   GraphQL models API.
 * - `ARTIFACT_STORE.localDir(artifactUri, files?)` -> a local folder of the version, from the
 *   store by URI alone (a worker needs nothing of the api's disk), every file's SHA-256 checked.
 */
export { ModelsModule } from './models.module';
export { ModelRegistry, DEFAULT_ALIAS } from './registry/model-registry.service';
export { ModelCatalogService } from './registry/model-catalog.service';
export { ArtifactResolver } from './registry/artifact-resolver';
export type { ResolvedArtifact } from './registry/artifact-resolver';
export { catalogUri, parseCatalogUri } from './catalog/catalog-uri';
export type { ResolvedModel } from './registry/model-registry.service';
export { ModelError, ModelErrorReason } from './model.error';
export { ARTIFACT_STORE, UPLOAD_STAGING, isSafeArtifactPath } from './artifacts/artifact-store';
export type { ArtifactStore, ArtifactFile, ArtifactManifest } from './artifacts/artifact-store';
export { ContentAddressedArtifactStore } from './artifacts/content-addressed-artifact-store';
export { MODELS_CONFIG, modelsConfigFromEnv, modelsConfigSchema } from './models.config';
export type { ModelsConfig } from './models.config';
export { ModelUploadService } from './uploads/model-upload.service';
export { HttpHeader } from './uploads/model-upload.types';
export { UploadStaging, SizeMismatch } from './uploads/upload-staging';
export { UploadTokenSigner } from './uploads/upload-token';
export type { UploadGrant } from './uploads/upload-token';
export { ModelVersion, TensorSpec } from './dto/model.types';
export { versionView } from './registry/model.view';
export { versionSpec } from './registry/version-spec';
export { MODEL_NAME } from './registry/model-catalog.service';
export type { Actor } from './registry/model-catalog.service';
