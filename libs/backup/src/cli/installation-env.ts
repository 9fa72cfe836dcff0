import path from 'node:path';
import { InstallationPaths } from '../create-backup';

/** The same settings the platform reads: DATA_DIR (default ./.data), DATABASE_URL, AUDIT_EXPORT_DIR. */
export function installationFromEnv(env: NodeJS.ProcessEnv = process.env): InstallationPaths {
  const dataDir = path.resolve(env.DATA_DIR || './.data');
  return {
    dataDir,
    databaseUrl: env.DATABASE_URL || undefined,
    auditExportDir: env.AUDIT_EXPORT_DIR ? path.resolve(env.AUDIT_EXPORT_DIR) : undefined,
  };
}
