import type { ArtifactDigest } from '@app/inference';
import type { BlobStore } from '@app/storage';

/** One file of a model artifact: model.json or a weight shard, by its relative path. */
export interface ArtifactFile {
  path: string;
  bytes: Buffer;
}

/** A version's files by path, each with its SHA-256: kept in the store beside the blobs and on the version row. */
export interface ArtifactManifest {
  v: 1;
  files: ArtifactDigest[];
}

/**
 * Where model version artifacts are kept: content-addressed, each file once under its SHA-256
 * (`<namespace>/sha256/<hex>`) in a blob store (a local folder or S3), with one manifest per
 * version (`<namespace>/versions/<versionId>.json`) whose URI is the version's `artifactUri`.
 * The runtime loads from a local folder, so `localDir` materialises a version into a local cache
 * keyed by the files' SHA-256, checking every file as it is fetched.
 */
export interface ArtifactStore {
  readonly kind: 'local' | 's3';
  /** The blob store underneath (datasets are kept there too, under `datasets/`). */
  readonly blobs: BlobStore;
  /** Stores every file of one version (each blob once); returns the URI stored on the version row. */
  put(namespace: string, versionId: string, files: ArtifactFile[]): Promise<string>;
  /**
   * A local folder holding the artifact of `uri`, by the version's artifact URI alone (any
   * process, any machine: nothing of the publisher's disk is needed). `files`, the row's
   * path -> SHA-256 map when the caller has it, is then authoritative over the stored manifest.
   * A file whose bytes do not hash to its address is refused (InferenceError ARTIFACT_INTEGRITY).
   * A `file://` folder outside the store (the built-in catalog) is returned as it is.
   */
  localDir(uri: string, files?: readonly { path: string; sha256: string }[] | null): Promise<string>;
  /** The stored manifest of `uri` (null for a catalog folder or a pre-content-addressing version). */
  manifest(uri: string): Promise<ArtifactManifest | null>;
  /** Removes a version: its manifest, and the blobs no other version of the namespace references. */
  remove(uri: string): Promise<void>;
}

export const ARTIFACT_STORE = Symbol('ARTIFACT_STORE');
/** The blob store of staged uploads (model files and datasets before they are taken). */
export const UPLOAD_STAGING = Symbol('UPLOAD_STAGING');

/** Relative paths only, no `..`, no absolute paths, no odd characters: a file can't escape its folder. */
export function isSafeArtifactPath(path: string): boolean {
  if (!path || path.length > 200 || path.startsWith('/') || path.includes('\\')) return false;
  if (!/^[A-Za-z0-9._\-/]+$/.test(path)) return false;
  return path.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}
