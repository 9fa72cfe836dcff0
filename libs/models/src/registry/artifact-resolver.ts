import { Inject, Injectable } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError, ErrorCode } from '@app/common';
import { digestsOfDir } from '@app/inference';
import { ARTIFACT_STORE, ArtifactStore } from '../artifacts/artifact-store';
import { CATALOG_SCHEME, parseCatalogUri } from '../catalog/catalog-uri';
import { ModelErrorReason } from '../model.error';
import { MODELS_CONFIG, ModelsConfig } from '../models.config';

type FileDigest = { path: string; sha256: string };

/** Where a version's artifact is in this process, and the digests its files are checked against. */
export interface ResolvedArtifact {
  dir: string;
  /** The digests to check the files against (the row's; for the catalog, this process's own build). */
  files?: FileDigest[];
}

/**
 * Turns a version's artifact URI into a local folder in this process: a catalog URI to this
 * process's own catalog build, anything else through the artifact store (which fetches a
 * remote artifact into its local cache). Nothing here trusts a folder another process names.
 */
@Injectable()
export class ArtifactResolver {
  private readonly catalog = new Map<string, Promise<ResolvedArtifact>>();

  constructor(
    @Inject(ARTIFACT_STORE) private readonly store: ArtifactStore,
    @Inject(MODELS_CONFIG) private readonly config: ModelsConfig,
  ) {}

  /** A URI from this process's own database rows. `files`: the row's recorded digests. */
  async resolve(uri: string, files?: FileDigest[]): Promise<ResolvedArtifact> {
    if (uri.startsWith(CATALOG_SCHEME)) return this.catalogBuild(uri);
    return { dir: await this.store.localDir(uri, files), files };
  }

  /**
   * A URI sent by another process (the api asking a worker to run a version): only what this
   * process can fetch for itself is accepted: a catalog URI, a URI of the configured remote
   * store, or a `file://` URI inside this process's own local store. A path, or a folder
   * elsewhere on a disk (the sender's), is refused with ARTIFACT_URI_REFUSED.
   */
  async resolveSent(uri: unknown, files?: FileDigest[]): Promise<ResolvedArtifact> {
    if (typeof uri !== 'string' || !this.accepts(uri))
      throw new AppError(ErrorCode.BAD_USER_INPUT, 'the artifact URI is not one this worker can fetch', {
        reason: ModelErrorReason.ARTIFACT_URI_REFUSED,
      });
    return this.resolve(uri, files);
  }

  private accepts(uri: string): boolean {
    if (uri.startsWith(CATALOG_SCHEME)) return parseCatalogUri(uri) !== null;
    if (uri.startsWith('s3://')) return this.store.kind === 's3';
    if (uri.startsWith('file://')) {
      try {
        return resolve(fileURLToPath(uri)).startsWith(resolve(this.config.modelsDir) + sep);
      } catch {
        return false;
      }
    }
    return false;
  }

  /** This process's build of a catalog model; its digests are its own (a build is this process's). */
  private catalogBuild(uri: string): Promise<ResolvedArtifact> {
    const ref = parseCatalogUri(uri);
    if (!ref) return Promise.reject(new Error(`not a catalog artifact uri: ${uri}`));
    let found = this.catalog.get(ref.name);
    if (!found) {
      const dir = join(this.config.catalogDir, ref.name);
      found = (async () => {
        if (!existsSync(join(dir, 'model.json')))
          throw new Error(`catalog model ${ref.name} is not built in this process (${CATALOG_SCHEME} ${uri})`);
        return { dir, files: (await digestsOfDir(dir)).map(({ path, sha256 }) => ({ path, sha256 })) };
      })();
      found.catch(() => this.catalog.get(ref.name) === found && this.catalog.delete(ref.name));
      this.catalog.set(ref.name, found);
    }
    return found;
  }
}
