// Offline migrations through Prisma's WASM schema engine (shared/ENVIRONMENT.md: the native
// engine cannot be downloaded here). Same folder format and same `_prisma_migrations` table as
// `prisma migrate deploy`, so a machine with internet can use the stock CLI on this folder.
import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile, mkdir, stat, rename } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const require = createRequire(import.meta.url);
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SCHEMA_PATH = path.join(ROOT, 'prisma/schema.prisma');
export const MIGRATIONS_DIR = path.join(ROOT, 'prisma/migrations');
// The schema as of the newest migration: `db:migration` diffs the current schema against it.
export const SNAPSHOT_PATH = path.join(MIGRATIONS_DIR, 'schema.snapshot.prisma');
const LOCK = 'migration_lock.toml';

let enginePromise;
let lastPanic;
export const lastEnginePanic = () => lastPanic;
async function loadEngineModule() {
  enginePromise ??= (async () => {
    // The engine reports Rust panics through this global; keep the message for the error.
    globalThis.PRISMA_WASM_PANIC_REGISTRY ??= {
      set_message: (m) => {
        lastPanic = m;
        console.error('[schema-engine panic]', m);
      },
    };
    const pkgDir = path.dirname(require.resolve('@prisma/schema-engine-wasm'));
    const bg = await import(pathToFileURL(path.join(pkgDir, 'schema_engine_bg.js')).href);
    const bytes = await readFile(path.join(pkgDir, 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bg });
    bg.__wbg_set_wasm(instance.exports);
    instance.exports.__wbindgen_start?.();
    return bg;
  })();
  return enginePromise;
}

// Both adapters' executeScript fall short for migrations: PrismaPg splits the script on every
// ";" (breaking function bodies) and PrismaPGlite does not await it (losing errors). Prisma's
// native engine sends a migration as one multi-statement script; do the same.
function wholeScript(factory, run) {
  const wrap = (adapter) => {
    adapter.executeScript = async (script) => {
      try {
        await run(adapter, script);
      } catch (e) {
        if (typeof adapter.onError === 'function') adapter.onError(e);
        throw e;
      }
    };
    return adapter;
  };
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => wrap(await factory.connect()),
    connectToShadowDb: async () => wrap(await factory.connectToShadowDb()),
  };
}

async function adapterFor(target) {
  const { bindMigrationAwareSqlAdapterFactory } = require('@prisma/driver-adapter-utils');
  if (target.databaseUrl) {
    const { PrismaPg } = require('@prisma/adapter-pg');
    const factory = wholeScript(new PrismaPg({ connectionString: target.databaseUrl }), (a, sql) =>
      a.client.query(sql),
    );
    return bindMigrationAwareSqlAdapterFactory(factory);
  }
  const { PrismaPGlite } = require('pglite-prisma-adapter');
  const factory = wholeScript(new PrismaPGlite(target.pglite), (a, sql) => a.client.exec(sql));
  return bindMigrationAwareSqlAdapterFactory(factory);
}

async function newEngine(target, schemaText) {
  const { SchemaEngine } = await loadEngineModule();
  const adapter = target ? await adapterFor(target) : undefined;
  const log = process.env.MIGRATE_DEBUG ? (m) => console.error('[schema-engine]', m) : () => {};
  return SchemaEngine.new({ datamodels: [['schema.prisma', schemaText]] }, log, adapter);
}

async function exists(p) {
  return stat(p).then(
    () => true,
    () => false,
  );
}

export async function listMigrations(dir = MIGRATIONS_DIR) {
  if (!(await exists(dir))) return [];
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const out = [];
  for (const name of entries) {
    const file = path.join(dir, name, 'migration.sql');
    const content = await readFile(file, 'utf8').then(
      (value) => ({ tag: 'ok', value }),
      (e) => ({ tag: 'error', value: String(e) }),
    );
    out.push({ path: name, migrationFile: { path: 'migration.sql', content } });
  }
  return out;
}

const sha256 = (text) => createHash('sha256').update(text).digest('hex');

/** Rows of `_prisma_migrations` (null when the table does not exist yet). */
async function appliedRows(target) {
  const sql =
    'select migration_name, checksum, finished_at is not null and rolled_back_at is null as done from _prisma_migrations';
  const exists = `select to_regclass('_prisma_migrations') is not null as present`;
  if (target.pglite) {
    if (!(await target.pglite.query(exists)).rows[0].present) return null;
    return (await target.pglite.query(sql)).rows;
  }
  const { Client } = require('pg');
  const client = new Client({ connectionString: target.databaseUrl });
  await client.connect();
  try {
    if (!(await client.query(exists)).rows[0].present) return null;
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

/**
 * True when every migration in the folder is recorded as applied with the same checksum (what
 * Prisma stores: the SHA-256 of migration.sql) and nothing failed or is unknown. Then the schema
 * engine (a large WASM module, most of a restart's migration cost) need not be loaded at all;
 * anything else goes to the engine, which applies, or explains, what differs.
 */
export async function upToDate(target, migrations) {
  const rows = await appliedRows(target);
  if (!rows || rows.length !== migrations.length) return false;
  const applied = new Map(rows.map((r) => [r.migration_name, r]));
  return migrations.every((m) => {
    const row = applied.get(m.path);
    return row?.done && m.migrationFile.content.tag === 'ok' && row.checksum === sha256(m.migrationFile.content.value);
  });
}

/** One name for the current migrations folder: a template database is valid for it only. */
export function migrationsHash(migrations) {
  return sha256(migrations.map((m) => `${m.path}\n${m.migrationFile.content.value}`).join('\n')).slice(0, 16);
}

/**
 * Build time: an embedded database with every migration applied, as a PGlite data-folder
 * tarball in `outDir`, so that the first start on a fresh DATA_DIR unpacks it instead of
 * running initdb and every migration (most of a fresh start). Kept when already there.
 */
export async function writeTemplate(outDir) {
  const migrations = await listMigrations();
  const file = path.join(outDir, `pglite-${migrationsHash(migrations)}.tar.gz`);
  if (await exists(file)) return file;
  const { PGlite } = await import('@electric-sql/pglite');
  const db = new PGlite();
  try {
    await applyMigrations({ pglite: db });
    const dump = await db.dumpDataDir('gzip');
    await mkdir(outDir, { recursive: true });
    await writeFile(`${file}.tmp`, Buffer.from(await dump.arrayBuffer()));
    await rename(`${file}.tmp`, file);
  } finally {
    await db.close();
  }
  return file;
}

/** The template for the current migrations in `outDir`, or null. */
export async function templateFor(outDir) {
  const file = path.join(outDir, `pglite-${migrationsHash(await listMigrations())}.tar.gz`);
  return (await exists(file)) ? file : null;
}

/**
 * Applies pending migrations. `target` is `{ databaseUrl }` (PostgreSQL) or `{ pglite }`
 * (an open PGlite instance). Returns the names of the migrations applied now.
 */
export async function applyMigrations(target, { dir = MIGRATIONS_DIR } = {}) {
  const migrations = await listMigrations(dir);
  if (await upToDate(target, migrations).catch(() => false)) return [];
  const schemaText = await readFile(SCHEMA_PATH, 'utf8');
  const engine = await newEngine(target, schemaText);
  try {
    const lockPath = path.join(dir, LOCK);
    const lockContent = await readFile(lockPath, 'utf8').catch(() => null);
    const result = await engine.applyMigrations({
      migrationsList: {
        baseDir: dir,
        lockfile: { path: LOCK, content: lockContent },
        shadowDbInitScript: '',
        migrationDirectories: migrations,
      },
      filters: { externalTables: [], externalEnums: [] },
    });
    return result.appliedMigrationNames;
  } finally {
    engine.free?.();
  }
}

/** SQL that takes the database from schema `fromText` (or empty) to schema `toText`. */
export async function diffSchemas(fromText, toText) {
  // The engine wants an adapter even for a pure schema-to-schema diff; an in-memory PGlite
  // serves, and nothing is read from or written to it.
  const { PGlite } = await import('@electric-sql/pglite');
  const scratch = new PGlite();
  const engine = await newEngine({ pglite: scratch }, toText);
  const from =
    fromText == null
      ? { tag: 'empty' }
      : { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: fromText }] };
  let script = '';
  const origWrite = process.stdout.write;
  // The engine prints the script to stdout; capture it rather than letting it through.
  process.stdout.write = (chunk) => {
    script += chunk.toString();
    return true;
  };
  try {
    const res = await engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: toText }] },
      script: true,
      shadowDatabaseUrl: null,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    if (res && typeof res.stdout === 'string') script = res.stdout || script;
  } finally {
    process.stdout.write = origWrite;
    engine.free?.();
    await scratch.close();
  }
  return script;
}

/** Writes prisma/migrations/<timestamp>_<name>/migration.sql from the schema change. */
export async function createMigration(name) {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error('migration name: lower-case letters, digits and _ only');
  const toText = await readFile(SCHEMA_PATH, 'utf8');
  const fromText = await readFile(SNAPSHOT_PATH, 'utf8').catch(() => null);
  const sql = await diffSchemas(fromText, toText);
  if (!sql.trim() || /^-- This is an empty migration\.?\s*$/.test(sql.trim())) return null;
  const stamp = new Date()
    .toISOString()
    .replace(/[-:TZ.]/g, '')
    .slice(0, 14);
  const dirName = `${stamp}_${name}`;
  await mkdir(path.join(MIGRATIONS_DIR, dirName), { recursive: true });
  await writeFile(path.join(MIGRATIONS_DIR, dirName, 'migration.sql'), sql);
  await writeFile(SNAPSHOT_PATH, toText);
  const lockPath = path.join(MIGRATIONS_DIR, LOCK);
  if (!(await exists(lockPath))) {
    await writeFile(
      lockPath,
      '# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "postgresql"\n',
    );
  }
  return dirName;
}
