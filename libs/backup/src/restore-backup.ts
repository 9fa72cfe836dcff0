import { copyFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BackupError, verifyBackup } from './backup-manifest';
import { assertEmptyPostgres, execOn, restorePglite, restorePostgres } from './database-dump';
import { FILE_SETS, InstallationPaths } from './create-backup';

/**
 * Restores a verified backup into an empty installation (an empty DATA_DIR, and an empty
 * PostgreSQL database when DATABASE_URL is set). Everything is checked before anything is
 * written; the database goes in one transaction; artifact URIs are re-pointed to the new DATA_DIR.
 */
export async function restoreBackup(from: string, at: InstallationPaths): Promise<{ ms: number }> {
  const started = performance.now();
  const manifest = await verifyBackup(from);
  if (manifest.database.kind === 'postgresql' && !at.databaseUrl)
    throw new BackupError('this backup holds a PostgreSQL database: set DATABASE_URL to an empty database');
  if (manifest.database.kind === 'pglite' && at.databaseUrl)
    throw new BackupError('this backup holds an embedded database: unset DATABASE_URL to restore into DATA_DIR');
  const existing = await readdir(at.dataDir).catch(() => []);
  if (existing.some((e) => ['pgdata', ...FILE_SETS, 'audit-signing-key.pem'].includes(e)))
    throw new BackupError(`${at.dataDir} is not empty: restore only into an empty DATA_DIR`);
  if (at.databaseUrl) await assertEmptyPostgres(at.databaseUrl);

  const dbFile = path.join(from, manifest.database.file);
  const pgliteDir = path.join(at.dataDir, 'pgdata');
  if (at.databaseUrl) await restorePostgres(at.databaseUrl, dbFile);
  else await restorePglite(dbFile, pgliteDir);
  const targets: Record<string, string> = {
    models: path.join(at.dataDir, 'models'),
    datasets: path.join(at.dataDir, 'datasets'),
    audit: at.auditExportDir ?? path.join(at.dataDir, 'audit'),
  };
  for (const f of manifest.files) {
    if (!f.path.startsWith('files/')) continue;
    const [, set, ...rest] = f.path.split('/');
    const target =
      set === 'audit-signing-key.pem'
        ? path.join(at.dataDir, set)
        : path.join(targets[set] ?? path.join(at.dataDir, set), ...rest);
    await mkdir(path.dirname(target), { recursive: true });
    await copyFile(path.join(from, f.path), target);
  }
  // Local artifact URIs are absolute file:// URLs of the old DATA_DIR: point them at the new one.
  const newUrl = pathToFileURL(path.resolve(at.dataDir)).href;
  if (newUrl !== manifest.dataDirUrl) {
    await execOn(
      { databaseUrl: at.databaseUrl, pgliteDir },
      `update model_versions set "artifactUri" = $2 || substr("artifactUri", length($1) + 1) where "artifactUri" like $1 || '/%'`,
      [manifest.dataDirUrl, newUrl],
    );
  }
  return { ms: performance.now() - started };
}
