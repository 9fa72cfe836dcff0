/**
 * npm run backup -- <dir>: a backup of this installation (DATA_DIR, DATABASE_URL, AUDIT_EXPORT_DIR)
 * into a new folder, while the platform runs or not.
 * - PostgreSQL: pg_dump's snapshot, beside the running platform.
 * - Embedded: when a platform serves DATA_DIR (its backup socket answers), it writes the snapshot
 *   itself (PGlite is one process's); otherwise this process opens the database.
 */
import path from 'node:path';
import { createBackup } from '../create-backup';
import { askSocket, backupSocketPath } from '../live/backup-socket';
import { installationFromEnv } from './installation-env';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: npm run backup -- <dir>');
  process.exit(2);
}

async function main(out: string): Promise<string> {
  const at = installationFromEnv();
  if (!at.databaseUrl) {
    const socket = backupSocketPath(at.dataDir);
    // Nobody listening (no socket, or one a stopped platform left): the platform is not running.
    const alive = await askSocket(socket, '/ping', {}, 5000).then(
      () => true,
      () => false,
    );
    if (alive) {
      const r = await askSocket(socket, '/backup', { dir: out }, 3_600_000);
      if (!r.ok) throw new Error(r.error ?? 'the running platform refused');
      return `backup written to ${out} by the running platform: pglite database and ${r.files} files in ${((r.ms ?? 0) / 1000).toFixed(1)} s (writes held ${(r.lockedMs ?? 0).toFixed(0)} ms)`;
    }
  }
  const { manifest, ms } = await createBackup(at, out);
  return `backup written to ${out}: ${manifest.database.kind} database and ${manifest.files.length - 1} files in ${(ms / 1000).toFixed(1)} s`;
}

main(path.resolve(dir)).then(
  (line) => console.log(line),
  (e) => {
    console.error(`backup failed: ${(e as Error).message}`);
    process.exit(1);
  },
);
