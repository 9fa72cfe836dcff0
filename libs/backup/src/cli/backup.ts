/**
 * npm run backup -- <dir>: a backup of this installation (DATA_DIR, DATABASE_URL, AUDIT_EXPORT_DIR)
 * into a new folder. With PostgreSQL it runs while the platform runs (pg_dump's snapshot); the
 * embedded PGlite database belongs to one process: stop the platform first.
 */
import { createBackup } from '../create-backup';
import { installationFromEnv } from './installation-env';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: npm run backup -- <dir>');
  process.exit(2);
}
createBackup(installationFromEnv(), dir).then(
  ({ manifest, ms }) =>
    console.log(
      `backup written to ${dir}: ${manifest.database.kind} database and ${manifest.files.length - 1} files in ${(ms / 1000).toFixed(1)} s`,
    ),
  (e) => {
    console.error(`backup failed: ${(e as Error).message}`);
    process.exit(1);
  },
);
