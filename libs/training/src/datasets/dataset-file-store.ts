import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { ARTIFACT_STORE, ArtifactStore } from '@app/models';

const FILE = { CSV: 'data.csv', JSONL: 'data.jsonl' } as const;

/**
 * Dataset files, kept through the artifact store port under a `datasets/` namespace (a local
 * folder or S3, like model artifacts). The one place that knows how: re-point it when the
 * store is generalised.
 */
@Injectable()
export class DatasetFileStore {
  constructor(@Inject(ARTIFACT_STORE) private readonly store: ArtifactStore) {}

  put(tenantId: string, datasetId: string, format: keyof typeof FILE, bytes: Buffer): Promise<string> {
    return this.store.put(`datasets/${tenantId}`, datasetId, [{ path: FILE[format], bytes }]);
  }

  async read(uri: string, format: keyof typeof FILE): Promise<Buffer> {
    return readFile(join(await this.store.localDir(uri), FILE[format]));
  }

  remove(uri: string): Promise<void> {
    return this.store.remove(uri);
  }
}
