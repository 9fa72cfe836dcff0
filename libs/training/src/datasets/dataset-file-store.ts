import { Inject, Injectable } from '@nestjs/common';
import { ARTIFACT_STORE, ArtifactStore } from '@app/models';
import { BlobNotFound } from '@app/storage';

const FILE = { CSV: 'data.csv', JSONL: 'data.jsonl' } as const;

/**
 * Dataset files, in the platform's blob store (the artifact store's: a local folder or the S3
 * bucket) at `datasets/<tenantId>/<datasetId>/data.csv|data.jsonl`; the row keeps the object's
 * URI. Datasets are read whole by training, never from a path of another process. A dataset
 * stored before (a folder URI) is read from its folder's file.
 */
@Injectable()
export class DatasetFileStore {
  constructor(@Inject(ARTIFACT_STORE) private readonly artifacts: ArtifactStore) {}

  private get blobs() {
    return this.artifacts.blobs;
  }

  async put(tenantId: string, datasetId: string, format: keyof typeof FILE, bytes: Buffer): Promise<string> {
    const key = `datasets/${tenantId}/${datasetId}/${FILE[format]}`;
    await this.blobs.put(key, bytes, { contentType: format === 'CSV' ? 'text/csv' : 'application/x-ndjson' });
    return this.blobs.uri(key);
  }

  async read(uri: string, format: keyof typeof FILE): Promise<Buffer> {
    const key = this.keyOf(uri, format);
    try {
      return await this.blobs.get(key);
    } catch (e) {
      if (e instanceof BlobNotFound) throw new Error(`the dataset file ${uri} is missing from the store`, { cause: e });
      throw e;
    }
  }

  async remove(uri: string): Promise<void> {
    const key = this.blobs.keyOf(uri);
    if (key === null) return;
    const file = Object.values(FILE).some((f) => key.endsWith(`/${f}`));
    await this.blobs.delete(file ? key : Object.values(FILE).map((f) => `${key.replace(/\/+$/, '')}/${f}`));
  }

  private keyOf(uri: string, format: keyof typeof FILE): string {
    const key = this.blobs.keyOf(uri);
    if (key === null) throw new Error(`not a dataset of this store: ${uri}`);
    return key.endsWith(`/${FILE[format]}`) ? key : `${key.replace(/\/+$/, '')}/${FILE[format]}`;
  }
}
