/** One file of a model artifact: model.json or a weight shard, by its relative path. */
export interface ArtifactFile {
  path: string;
  bytes: Buffer;
}

/**
 * Where model version artifacts are kept. The runtime loads from a local folder, so a remote
 * store also hands out a local copy (`localDir`). URIs are `file://...` or `s3://bucket/key`.
 */
export interface ArtifactStore {
  readonly kind: 'local' | 's3';
  /** Writes every file of one version; returns the URI stored on the version row. */
  put(namespace: string, versionId: string, files: ArtifactFile[]): Promise<string>;
  /** A local folder holding the artifact of `uri` (downloaded once for a remote store). */
  localDir(uri: string): Promise<string>;
  /** Removes a version's files (a failed upload must leave nothing behind). */
  remove(uri: string): Promise<void>;
}

export const ARTIFACT_STORE = Symbol('ARTIFACT_STORE');

/** Relative paths only, no `..`, no absolute paths, no odd characters: a file can't escape its folder. */
export function isSafeArtifactPath(path: string): boolean {
  if (!path || path.length > 200 || path.startsWith('/') || path.includes('\\')) return false;
  if (!/^[A-Za-z0-9._\-/]+$/.test(path)) return false;
  return path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}
