import { BlobStore, LocalBlobStore, S3BlobStore } from '@app/storage';
import { ModelsConfig } from '../models.config';
import { ArtifactStore } from './artifact-store';
import { ContentAddressedArtifactStore } from './content-addressed-artifact-store';

/** Staged uploads in the bucket: infra's lifecycle rule on this prefix sweeps what nobody published. */
export const STAGING_PREFIX = 'uploads/';

/**
 * The blob stores ARTIFACT_STORE picks: a local folder (the default) or one S3 bucket holding
 * artifacts and datasets under ARTIFACT_PREFIX and staged uploads under `uploads/` (where the
 * bucket's lifecycle rule expires them). The S3
 * adapter requires the AWS SDK on first use only (cold start).
 */
export function createBlobStores(config: ModelsConfig): { artifacts: BlobStore; staging: BlobStore } {
  if (config.store === 's3') {
    const s3 = { bucket: config.bucket!, region: config.s3Region, endpoint: config.s3Endpoint };
    return {
      artifacts: new S3BlobStore({ ...s3, keyPrefix: config.prefix }),
      staging: new S3BlobStore({ ...s3, keyPrefix: STAGING_PREFIX }),
    };
  }
  const presign = { presignBaseUrl: `${config.publicUrl}/storage`, signingSecret: config.uploadSigningSecret };
  return {
    artifacts: new LocalBlobStore(config.modelsDir, presign),
    staging: new LocalBlobStore(config.uploadsDir, presign),
  };
}

export function createArtifactStore(config: ModelsConfig, blobs: BlobStore): ArtifactStore {
  return new ContentAddressedArtifactStore(blobs, config.cacheDir);
}
