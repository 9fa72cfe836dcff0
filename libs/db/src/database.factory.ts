import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Logger } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import type { AppConfig } from '@app/common';
import { PrismaService } from './prisma.service';
import { findRepoRoot } from './repo-root';
import { assertMigrated } from './pending-migrations';

// A real dynamic import, kept out of TypeScript's CommonJS rewrite: the migration runner is ESM.
const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function runMigrations(target: { databaseUrl: string } | { pglite: unknown }): Promise<string[]> {
  const runner = path.join(findRepoRoot(), 'libs/db/migrations/runner.mjs');
  const { applyMigrations } = await importEsm(pathToFileURL(runner).href);
  return applyMigrations(target);
}

/**
 * PostgreSQL when DATABASE_URL is set; otherwise embedded PGlite in DATA_DIR/pgdata with its
 * migrations applied here, so that `npm start` needs nothing installed.
 */
export async function createPrismaService(config: AppConfig, opts: { migrate?: boolean } = {}): Promise<PrismaService> {
  const log = new Logger('Database');
  if (config.DATABASE_URL) {
    if (opts.migrate) {
      const applied = await runMigrations({ databaseUrl: config.DATABASE_URL });
      if (applied.length) log.log(`applied migrations: ${applied.join(', ')}`);
    }
    const adapter = new PrismaPg({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE });
    const prisma = new PrismaService(adapter, 'postgres');
    if (!opts.migrate) await assertMigrated(prisma).catch(async (e) => {
      await prisma.$disconnect();
      throw e;
    });
    return prisma;
  }
  const { PGlite } = await importEsm('@electric-sql/pglite');
  const { PrismaPGlite } = await import('pglite-prisma-adapter');
  const dir = path.resolve(config.DATA_DIR, 'pgdata');
  await mkdir(dir, { recursive: true });
  const pglite = new PGlite(dir);
  const applied = await runMigrations({ pglite });
  if (applied.length) log.log(`embedded database ready (${dir}); applied migrations: ${applied.join(', ')}`);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return new PrismaService(new PrismaPGlite(pglite as any), 'embedded', () => pglite.close());
}
