#!/usr/bin/env node
// npm run db:migrate                 apply pending migrations (DATABASE_URL, else PGlite in DATA_DIR)
// npm run db:migration -- <name>     write a new migration from a change to prisma/schema.prisma
import path from 'node:path';
import { applyMigrations, createMigration, ROOT, writeTemplate } from './runner.mjs';

const [cmd, arg] = process.argv.slice(2);
try {
  if (cmd === 'deploy') {
    let target;
    let pg;
    if (process.env.DATABASE_URL) target = { databaseUrl: process.env.DATABASE_URL };
    else {
      const { PGlite } = await import('@electric-sql/pglite');
      const dir = path.resolve(ROOT, process.env.DATA_DIR ?? '.data', 'pgdata');
      const { mkdir } = await import('node:fs/promises');
      await mkdir(dir, { recursive: true });
      pg = new PGlite(dir);
      target = { pglite: pg };
    }
    const applied = await applyMigrations(target);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
    await pg?.close();
  } else if (cmd === 'create') {
    if (!arg) throw new Error('usage: npm run db:migration -- <name>');
    const dir = await createMigration(arg);
    console.log(dir ? `wrote prisma/migrations/${dir}/migration.sql` : 'no schema change: nothing written');
  } else if (cmd === 'template') {
    console.log(
      `embedded database template: ${path.relative(ROOT, await writeTemplate(path.resolve(ROOT, arg ?? 'dist/pglite')))}`,
    );
  } else {
    throw new Error('usage: cli.mjs deploy | create <name> | template [dir]');
  }
} catch (err) {
  console.error(`migration failed: ${err?.message ?? err}`);
  process.exit(1);
}
