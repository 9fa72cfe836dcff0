import { ModelsConfig } from '../models.config';
import { ArtifactStore } from './artifact-store';
import { LocalArtifactStore } from './local-artifact-store';

/** ARTIFACT_STORE picks the store; the local folder is the default. */
export function createArtifactStore(config: ModelsConfig): ArtifactStore {
  if (config.store === 's3') {
    // Required here, not at the top: the AWS SDK is a large module graph the local store never needs.
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { S3Client } = require('@aws-sdk/client-s3') as typeof import('@aws-sdk/client-s3');
    const { S3ArtifactStore } = require('./s3-artifact-store') as typeof import('./s3-artifact-store');
    /* eslint-enable @typescript-eslint/no-require-imports */
    const client = new S3Client({
      region: config.s3Region,
      endpoint: config.s3Endpoint,
      forcePathStyle: Boolean(config.s3Endpoint),
    });
    return new S3ArtifactStore(client, config.bucket!, config.prefix, config.cacheDir);
  }
  return new LocalArtifactStore(config.modelsDir);
}
