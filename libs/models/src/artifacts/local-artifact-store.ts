import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ArtifactFile, ArtifactStore, isSafeArtifactPath } from './artifact-store';

/** Artifacts in a folder (DATA_DIR/models/<namespace>/<versionId>/). */
export class LocalArtifactStore implements ArtifactStore {
  readonly kind = 'local' as const;

  constructor(private readonly root: string) {}

  async put(namespace: string, versionId: string, files: ArtifactFile[]): Promise<string> {
    const dir = resolve(this.root, namespace, versionId);
    try {
      for (const file of files) {
        if (!isSafeArtifactPath(file.path)) throw new Error(`unsafe artifact path ${file.path}`);
        const target = join(dir, file.path);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, file.bytes);
      }
    } catch (e) {
      await rm(dir, { recursive: true, force: true });
      throw e;
    }
    return pathToFileURL(dir).href;
  }

  async localDir(uri: string): Promise<string> {
    return fileURLToPath(uri);
  }

  async remove(uri: string): Promise<void> {
    const dir = fileURLToPath(uri);
    // Only ever delete inside our own root: a catalog or foreign URI is left alone.
    if (!dir.startsWith(resolve(this.root) + sep)) return;
    await rm(dir, { recursive: true, force: true });
  }
}
