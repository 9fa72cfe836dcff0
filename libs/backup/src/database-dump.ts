import { spawn } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { Client } from 'pg';
import { BackupError } from './backup-manifest';

// A real dynamic import, kept out of TypeScript's CommonJS rewrite: PGlite's CommonJS build hangs in dumpDataDir.
const importEsm = new Function('specifier', 'return import(specifier)') as (
  s: string,
) => Promise<typeof import('@electric-sql/pglite')>;

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.on('error', (e) =>
      reject(new BackupError(`${cmd} could not start (${e.message}): install the PostgreSQL client tools`)),
    );
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new BackupError(`${cmd} failed (${code}): ${err.trim().slice(0, 2000)}`)),
    );
  });
}

/**
 * pg_dump reads the whole database in one repeatable-read transaction: a consistent snapshot
 * while the platform keeps writing. Custom format: compressed, restored with pg_restore.
 */
export const dumpPostgres = (databaseUrl: string, file: string) =>
  run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', `--file=${file}`, databaseUrl]);

/** Into an empty database, in one transaction: an error leaves it empty. */
export const restorePostgres = (databaseUrl: string, file: string) =>
  run('pg_restore', [
    '--no-owner',
    '--no-privileges',
    '--exit-on-error',
    '--single-transaction',
    `--dbname=${databaseUrl}`,
    file,
  ]);

export async function assertEmptyPostgres(databaseUrl: string): Promise<void> {
  const pg = new Client({ connectionString: databaseUrl });
  await pg.connect();
  try {
    const { rows } = await pg.query(`select count(*)::int as n from pg_tables where schemaname = 'public'`);
    if (rows[0].n > 0) throw new BackupError('the target database is not empty: restore only into an empty database');
  } finally {
    await pg.end();
  }
}

/** PGlite's own dump of its data folder (a tarball). PGlite is one process's: the platform must be stopped. */
export async function dumpPglite(dataDir: string, file: string): Promise<void> {
  const { PGlite } = await importEsm('@electric-sql/pglite');
  const pg = new PGlite(dataDir);
  try {
    // dumpDataDir before the database is ready never settles.
    await pg.waitReady;
    const blob = await pg.dumpDataDir('gzip');
    await writeFile(file, Buffer.from(await blob.arrayBuffer()));
  } finally {
    await pg.close();
  }
}

export async function restorePglite(file: string, dataDir: string): Promise<void> {
  const { PGlite } = await importEsm('@electric-sql/pglite');
  await mkdir(dataDir, { recursive: true });
  const pg = new PGlite(dataDir, { loadDataDir: new Blob([await readFile(file)]) });
  await pg.waitReady;
  await pg.close();
}

/** Runs one statement on the restored database (PostgreSQL or the PGlite folder). */
export async function execOn(
  target: { databaseUrl?: string; pgliteDir?: string },
  sql: string,
  params: unknown[],
): Promise<void> {
  if (target.databaseUrl) {
    const pg = new Client({ connectionString: target.databaseUrl });
    await pg.connect();
    await pg.query(sql, params).finally(() => pg.end());
    return;
  }
  const { PGlite } = await importEsm('@electric-sql/pglite');
  const pg = new PGlite(target.pgliteDir!);
  await pg.waitReady;
  await pg.query(sql, params).finally(() => pg.close());
}
