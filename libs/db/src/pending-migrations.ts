import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '@app/common';
import type { PrismaService } from './prisma.service';
import { findRepoRoot } from './repo-root';

/**
 * Refuses to start on a PostgreSQL database that lacks migrations (a fresh one, or one behind
 * this build): without this, the first query dies with a Prisma stack trace about a missing
 * table. ConfigError: main.ts prints its message as one line and exits.
 */
export async function assertMigrated(prisma: PrismaService): Promise<void> {
  const dir = path.join(findRepoRoot(), 'prisma/migrations');
  if (!existsSync(dir)) return; // a bundle without the migrations folder: nothing to compare
  const expected = readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(dir, e.name, 'migration.sql')))
    .map((e) => e.name);
  let applied = new Set<string>();
  try {
    const rows = await prisma.$queryRawUnsafe<{ migration_name: string }[]>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    applied = new Set(rows.map((r) => r.migration_name));
  } catch (e) {
    if (!/_prisma_migrations|does not exist|42P01/.test(String((e as Error).message ?? e))) throw e;
  }
  const pending = expected.filter((name) => !applied.has(name));
  if (!pending.length) return;
  const what = applied.size
    ? `${pending.length} pending migration(s) (first: ${pending[0]})`
    : 'no migrations applied (a fresh database)';
  throw new ConfigError(
    `database at DATABASE_URL has ${what}: run \`npm run db:migrate\`, or start with AUTO_MIGRATE=1`,
  );
}

/** For main.ts, before Nest starts (so that the one line is all that is printed). */
export async function preflightDatabase(databaseUrl: string | undefined): Promise<void> {
  if (!databaseUrl || process.env.AUTO_MIGRATE === '1') return;
  const { PrismaPg } = await import('@prisma/adapter-pg');
  const { PrismaService } = await import('./prisma.service');
  const prisma = new PrismaService(new PrismaPg({ connectionString: databaseUrl, max: 1 }), 'postgres');
  try {
    await assertMigrated(prisma);
  } finally {
    await prisma.$disconnect();
  }
}
