import { copyFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BackupError, BackupFile, BackupManifest, describe, FORMAT, listFiles, seal } from './backup-manifest';
import { dumpPglite, dumpPostgres } from './database-dump';

export interface InstallationPaths {
  dataDir: string;
  /** PostgreSQL; unset: the embedded PGlite database in DATA_DIR/pgdata. */
  databaseUrl?: string;
  /** Audit exports (AUDIT_EXPORT_DIR, default DATA_DIR/audit). */
  auditExportDir?: string;
}

/** What an installation keeps besides its database. Catalog builds, caches and staged uploads are re-creatable. */
export const FILE_SETS = ['models', 'datasets', 'audit'] as const;
const SIGNING_KEY = 'audit-signing-key.pem';

/**
 * Writes a backup of an installation into an empty folder: the database first (one consistent
 * snapshot), then the files it refers to. Artifacts are immutable per version, so copying them
 * after the snapshot is safe; a version published meanwhile only leaves unreferenced files.
 */
export async function createBackup(
  at: InstallationPaths,
  out: string,
): Promise<{ manifest: BackupManifest; ms: number }> {
  const started = performance.now();
  await mkdir(out, { recursive: true });
  if ((await readdir(out)).length) throw new BackupError(`${out} is not empty: back up into a new folder`);
  const kind = at.databaseUrl ? 'postgresql' : 'pglite';
  const dbFile = kind === 'postgresql' ? 'database.pgdump' : 'database.pglite.tar.gz';
  if (at.databaseUrl) await dumpPostgres(at.databaseUrl, path.join(out, dbFile));
  else await dumpPglite(path.join(at.dataDir, 'pgdata'), path.join(out, dbFile));
  const files: BackupFile[] = [await describe(out, dbFile)];
  const sources: Record<string, string> = {
    models: path.join(at.dataDir, 'models'),
    datasets: path.join(at.dataDir, 'datasets'),
    audit: at.auditExportDir ?? path.join(at.dataDir, 'audit'),
  };
  for (const set of FILE_SETS) {
    for (const rel of await listFiles(sources[set]))
      files.push(await copyInto(sources[set], rel, out, `files/${set}/${rel}`));
  }
  const key = path.join(at.dataDir, SIGNING_KEY);
  if ((await listFiles(at.dataDir)).includes(SIGNING_KEY))
    files.push(await copyInto(path.dirname(key), SIGNING_KEY, out, `files/${SIGNING_KEY}`));
  const manifest: BackupManifest = {
    format: FORMAT,
    createdAt: new Date().toISOString(),
    database: { kind, file: dbFile },
    dataDirUrl: pathToFileURL(path.resolve(at.dataDir)).href,
    files,
  };
  await seal(out, manifest);
  return { manifest, ms: performance.now() - started };
}

async function copyInto(root: string, rel: string, out: string, target: string): Promise<BackupFile> {
  await mkdir(path.dirname(path.join(out, target)), { recursive: true });
  await copyFile(path.join(root, rel), path.join(out, target));
  // Hashed from the copy: the manifest describes what the backup holds.
  return describe(out, target);
}
