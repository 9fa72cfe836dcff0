/**
 * @app/backup: backup and restore of an installation (operator commands, no Nest).
 * - `createBackup(paths, dir)`: database snapshot (pg_dump, or PGlite's dump), artifacts, datasets,
 *   audit exports and the audit signing key, with a sealed SHA-256 manifest.
 * - `restoreBackup(dir, paths)`: verifies everything first, then restores into an empty installation.
 * - `LiveBackupModule`: the api's side of `npm run backup` for a running embedded platform (a
 *   UNIX socket in DATA_DIR; the api process writes the snapshot, PGlite being its own).
 */
export { createBackup, FILE_SETS } from './create-backup';
export type { InstallationPaths } from './create-backup';
export { restoreBackup } from './restore-backup';
export { verifyBackup, BackupError } from './backup-manifest';
export type { BackupManifest, BackupFile } from './backup-manifest';
export { LiveBackupModule } from './live/live-backup.module';
export { backupSocketPath } from './live/backup-socket';
