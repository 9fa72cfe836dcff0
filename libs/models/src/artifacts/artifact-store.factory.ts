import { S3Client } from '@aws-sdk/client-s3';
import { ModelsConfig } from '../models.config';
import { ArtifactStore } from './artifact-store';
import { LocalArtifactStore } from './local-artifact-store';
import { S3ArtifactStore } from './s3-artifact-store';

/** ARTIFACT_STORE picks the store; the local folder is the default. */
export function createArtifactStore(config: ModelsConfig): ArtifactStore {
  if (config.store === 's3') {
    const client = new S3Client({ region: config.s3Region, endpoint: config.s3Endpoint, forcePathStyle: Boolean(config.s3Endpoint) });
    return new S3ArtifactStore(client, config.bucket!, config.prefix, config.cacheDir);
  }
  return new LocalArtifactStore(config.modelsDir);
}
