import { z } from 'zod';

/**
 * The database library's own setting (DATABASE_URL and DATABASE_POOL_SIZE are in the shared
 * AppConfig): AUTO_MIGRATE=1 applies pending migrations at start (embedded and single-process
 * setups; in AWS the one-off migration task does it before a deploy).
 */
export const dbConfigSchema = z.object({
  AUTO_MIGRATE: z.enum(['0', '1']).optional(),
});

export function loadDbConfig(env: NodeJS.ProcessEnv = process.env): { autoMigrate: boolean } {
  const c = dbConfigSchema.parse(
    Object.fromEntries(Object.entries(env).filter(([k, v]) => k === 'AUTO_MIGRATE' && v !== '')),
  );
  return { autoMigrate: c.AUTO_MIGRATE === '1' };
}
