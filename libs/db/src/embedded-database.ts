import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startupProfile } from '@app/common';
import { findRepoRoot } from './repo-root';

// A real dynamic import, kept out of TypeScript's CommonJS rewrite: PGlite and the runner are ESM.
export const importEsm = new Function('specifier', 'return import(specifier)') as (s: string) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const migrationRunner = () =>
  importEsm(pathToFileURL(path.join(findRepoRoot(), 'libs/db/migrations/runner.mjs')).href);

/** Shared buffers of the embedded database (PGlite), set at every start. */
export const EMBEDDED_SHARED_BUFFERS = '16MB';

/** The open PGlite instance (typed loosely: PGlite's types are ESM-only). */
export type EmbeddedPglite = { close(): Promise<void>; query(sql: string): Promise<unknown> };

/**
 * A fresh data folder starts from the template `npm run build` made (initdb and every
 * migration already run: most of a fresh start's time); without one, PGlite runs initdb.
 */
async function templateFor(dir: string): Promise<Blob | undefined> {
  if (existsSync(path.join(dir, 'PG_VERSION'))) return undefined;
  const { templateFor: find } = await migrationRunner();
  const file: string | null = await find(path.join(findRepoRoot(), 'dist', 'pglite'));
  return file ? new Blob([await readFile(file)]) : undefined;
}

/** Resolves once PGlite was constructed (its start-up under way), with the promise of it open. */
async function open(dir: string): Promise<{ ready: Promise<EmbeddedPglite> }> {
  const { PGlite } = await startupProfile.time('db: load PGlite', () => importEsm('@electric-sql/pglite'));
  await mkdir(dir, { recursive: true });
  const atMs = performance.now();
  const loadDataDir = await templateFor(dir);
  const db = new PGlite(dir, {
    ...(loadDataDir ? { loadDataDir } : {}),
    // initdb's 128 MB of shared buffers live in PGlite's WASM memory and are zeroed at every
    // start: about 0.6 s of CPU (test/bench/cold-start). One connection and an embedded data
    // folder need far less; the file system's cache still holds the rest.
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${EMBEDDED_SHARED_BUFFERS}`],
  });
  // PGlite finishes its start-up after waitReady: the first round trip is part of opening.
  const ready = db.query('select 1').then(() => {
    startupProfile.record(`db: open PGlite data folder${loadDataDir ? " (from the build's template)" : ''}`, atMs);
    return db as EmbeddedPglite;
  });
  ready.catch(() => undefined); // reported where it is taken
  return { ready };
}

const opening = new Map<string, Promise<{ ready: Promise<EmbeddedPglite> }>>();

/**
 * Starts opening the embedded database in DATA_DIR/pgdata; resolves once PGlite's start-up is
 * under way. main.ts awaits it before it loads the rest of the application, so that what PGlite
 * does off the main thread (reading and compiling its WASM) overlaps that; createPrismaService
 * then takes the same instance (once: a later app in the same process opens its own).
 */
export async function openEmbeddedDatabase(dataDir: string): Promise<void> {
  await started(dataDir);
}

function started(dataDir: string): Promise<{ ready: Promise<EmbeddedPglite> }> {
  const dir = path.resolve(dataDir, 'pgdata');
  let pending = opening.get(dir);
  if (!pending) {
    pending = open(dir);
    pending.catch(() => undefined); // reported where it is taken
    opening.set(dir, pending);
  }
  return pending;
}

/** The instance openEmbeddedDatabase started (or a new one), open, handed out once. */
export async function takeEmbeddedDatabase(dataDir: string): Promise<EmbeddedPglite> {
  const pending = started(dataDir);
  opening.delete(path.resolve(dataDir, 'pgdata'));
  return (await pending).ready;
}
