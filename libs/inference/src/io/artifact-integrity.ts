import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { InferenceError, InferenceErrorCode } from '../inference.error';

/** One artifact file as recorded when its version was published: its content address. */
export interface ArtifactDigest {
  path: string;
  sha256: string;
  sizeBytes: number;
}

export const sha256Of = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** The digests of files held in memory (an upload about to be stored). */
export function digestsOf(files: { path: string; bytes: Buffer }[]): ArtifactDigest[] {
  return files
    .map((f) => ({ path: f.path, sha256: sha256Of(f.bytes), sizeBytes: f.bytes.length }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

/** The digests of every file under a folder (a catalog artifact built at start), dot files skipped. */
export async function digestsOfDir(dir: string, prefix = ''): Promise<ArtifactDigest[]> {
  const out: ArtifactDigest[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await digestsOfDir(dir, rel)));
    else if (entry.isFile()) {
      const full = path.join(dir, rel);
      out.push({ path: rel, sha256: sha256Of(await readFile(full)), sizeBytes: (await stat(full)).size });
    }
  }
  return out.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * Refuses bytes whose SHA-256 is not the one recorded for that path: a file changed on disk or
 * in the bucket after publishing, or one the version never had, is never served.
 */
export function checkDigest(expected: Map<string, string>, file: string, bytes: Buffer): void {
  const want = expected.get(file);
  const got = sha256Of(bytes);
  if (want === got) return;
  throw new InferenceError(
    InferenceErrorCode.ARTIFACT_INTEGRITY,
    want
      ? `artifact file ${file} does not match its recorded SHA-256: refused`
      : `artifact file ${file} is not part of this version: refused`,
    { file, expectedSha256: want ?? null, actualSha256: got },
  );
}
