import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const MANIFEST = 'manifest.json';
/** Written last: a folder without it is a partial backup. */
export const SEAL = 'manifest.sha256';
export const FORMAT = 'maas-backup.v1';

export interface BackupFile {
  path: string;
  sha256: string;
  sizeBytes: number;
}
export interface BackupManifest {
  format: typeof FORMAT;
  createdAt: string;
  database: { kind: 'postgresql' | 'pglite'; file: string };
  /** file:// URL of the DATA_DIR the backup came from: artifact URIs are re-pointed on restore. */
  dataDirUrl: string;
  files: BackupFile[];
}

export class BackupError extends Error {}

export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('error', reject)
      .on('data', (c) => hash.update(c))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Every regular file under dir, as paths relative to it (posix separators), sorted. */
export async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(dir, prefix), { withFileTypes: true }).catch(() => [])) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (e.isFile()) out.push(rel);
  }
  return out.sort();
}

export async function describe(root: string, rel: string): Promise<BackupFile> {
  const full = path.join(root, rel);
  return { path: rel, sha256: await sha256File(full), sizeBytes: (await stat(full)).size };
}

export async function seal(dir: string, manifest: BackupManifest): Promise<void> {
  const text = `${JSON.stringify(manifest, null, 2)}\n`;
  await writeFile(path.join(dir, MANIFEST), text);
  await writeFile(path.join(dir, SEAL), `${createHash('sha256').update(text).digest('hex')}  ${MANIFEST}\n`);
}

/**
 * Checks a backup folder before anything is restored from it: sealed, every listed file present
 * with its size and SHA-256, and nothing unlisted. Throws BackupError saying what is wrong.
 */
export async function verifyBackup(dir: string): Promise<BackupManifest> {
  const sealText = await readFile(path.join(dir, SEAL), 'utf8').catch(() => null);
  if (sealText === null) throw new BackupError(`${dir} is not a complete backup: ${SEAL} is missing`);
  const text = await readFile(path.join(dir, MANIFEST), 'utf8').catch(() => null);
  if (text === null) throw new BackupError(`${dir} is not a complete backup: ${MANIFEST} is missing`);
  if (createHash('sha256').update(text).digest('hex') !== sealText.split(/\s+/)[0])
    throw new BackupError(`${MANIFEST} does not match ${SEAL}: the backup was changed`);
  const manifest = JSON.parse(text) as BackupManifest;
  if (manifest.format !== FORMAT) throw new BackupError(`unknown backup format ${String(manifest.format)}`);
  const listed = new Set(manifest.files.map((f) => f.path));
  for (const rel of await listFiles(dir)) {
    if (rel !== MANIFEST && rel !== SEAL && !listed.has(rel))
      throw new BackupError(`${rel} is not listed in the manifest: the backup was changed`);
  }
  for (const f of manifest.files) {
    if (f.path.split('/').includes('..') || path.isAbsolute(f.path))
      throw new BackupError(`unsafe path in the manifest: ${f.path}`);
    const got = await describe(dir, f.path).catch(() => null);
    if (!got) throw new BackupError(`${f.path} is missing: a partial backup`);
    if (got.sizeBytes !== f.sizeBytes || got.sha256 !== f.sha256)
      throw new BackupError(`${f.path} does not match its SHA-256 in the manifest: the backup was changed`);
  }
  return manifest;
}
