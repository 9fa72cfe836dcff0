import path from 'node:path';
import { Logger } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import type { AppConfig } from '@app/common';
import { startupProfile } from '@app/common';
import { migrationRunner, takeEmbeddedDatabase } from './embedded-database';
import { PrismaService } from './prisma.service';
import { assertMigrated } from './pending-migrations';

async function runMigrations(target: { databaseUrl: string } | { pglite: unknown }): Promise<string[]> {
  const { applyMigrations } = await migrationRunner();
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
    if (!opts.migrate)
      await assertMigrated(prisma).catch(async (e) => {
        await prisma.$disconnect();
        throw e;
      });
    return prisma;
  }
  const { PrismaPGlite } = await import('pglite-prisma-adapter');
  const dir = path.resolve(config.DATA_DIR, 'pgdata');
  const pglite = await takeEmbeddedDatabase(config.DATA_DIR);
  const applied = await startupProfile.time('db: migration check', () => runMigrations({ pglite }));
  if (applied.length) log.log(`embedded database ready (${dir}); applied migrations: ${applied.join(', ')}`);
  return startupProfile.time(
    'db: Prisma client (WASM query compiler)',
    () =>
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      new PrismaService(new PrismaPGlite(pglite as any), 'embedded', () => pglite.close(), pglite),
  );
}
