import { copyFile, link, mkdir, readdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BackupError, BackupFile, BackupManifest, describe, FORMAT, listFiles, seal } from './backup-manifest';
import { dumpPglite, dumpPostgres } from './database-dump';

export interface InstallationPaths {
  dataDir: string;
  /** PostgreSQL; unset: the embedded PGlite database in DATA_DIR/pgdata. */
  databaseUrl?: string;
  /** Audit exports (AUDIT_EXPORT_DIR, default DATA_DIR/audit). */
  auditExportDir?: string;
}

/** The open embedded database of a running platform (what PGlite offers for a snapshot). */
export interface LiveEmbeddedDatabase {
  dumpDataDir(compression: 'gzip' | 'none'): Promise<Blob>;
  transaction<T>(fn: (tx: { exec(sql: string): Promise<unknown> }) => Promise<T>): Promise<T>;
}

/** What an installation keeps besides its database. Catalog builds, caches and staged uploads are re-creatable. */
export const FILE_SETS = ['models', 'datasets', 'audit'] as const;
const SIGNING_KEY = 'audit-signing-key.pem';

/**
 * Writes a backup of an installation into an empty folder: the database (one consistent
 * snapshot) and the files it refers to.
 * - PostgreSQL: pg_dump's snapshot, then the files. Artifacts are immutable per version and
 *   written before their row commits, so copying them after the snapshot is safe; a version
 *   published meanwhile only leaves unreferenced files.
 * - Embedded, stopped: PGlite opened here, dumped, then the files.
 * - Embedded, running (`live`: the api process does it when `npm run backup` asks): the dump and
 *   the hard links of every file are taken together, inside one PGlite transaction, so no
 *   commit (a deletion's included) falls between the two; the links become copies and are
 *   hashed after the lock.
 */
export async function createBackup(
  at: InstallationPaths,
  out: string,
  opts: { live?: LiveEmbeddedDatabase } = {},
): Promise<{ manifest: BackupManifest; ms: number; lockedMs?: number }> {
  const started = performance.now();
  await mkdir(out, { recursive: true });
  if ((await readdir(out)).length) throw new BackupError(`${out} is not empty: back up into a new folder`);
  const kind = at.databaseUrl ? 'postgresql' : 'pglite';
  const dbFile = kind === 'postgresql' ? 'database.pgdump' : 'database.pglite.tar.gz';
  const sources: Record<string, string> = {
    models: path.join(at.dataDir, 'models'),
    datasets: path.join(at.dataDir, 'datasets'),
    audit: at.auditExportDir ?? path.join(at.dataDir, 'audit'),
  };
  const takeFiles = async (place: typeof copyInto): Promise<string[]> => {
    const taken: string[] = [];
    for (const set of FILE_SETS) {
      for (const rel of await listFiles(sources[set]))
        taken.push(await place(path.join(sources[set], rel), out, `files/${set}/${rel}`));
    }
    if ((await listFiles(at.dataDir)).includes(SIGNING_KEY))
      taken.push(await place(path.join(at.dataDir, SIGNING_KEY), out, `files/${SIGNING_KEY}`));
    return taken;
  };

  let taken: string[];
  let lockedMs: number | undefined;
  if (opts.live) {
    if (at.databaseUrl) throw new BackupError('a live snapshot is for the embedded database only');
    const live = opts.live;
    // PGlite runs one transaction at a time (every statement takes that lock too): inside this
    // one, no other commit happens until the dump and the links are taken. The dump itself takes
    // only the statement lock, which this transaction leaves free between its statements.
    const { blob, files, ms } = await live.transaction(async (tx) => {
      const t0 = performance.now();
      // Data files as of now, so the restored folder needs no WAL replay.
      await tx.exec('CHECKPOINT');
      const dump = await live.dumpDataDir('gzip');
      return { blob: dump, files: await takeFiles(linkInto), ms: performance.now() - t0 };
    });
    lockedMs = ms;
    await writeFile(path.join(out, dbFile), Buffer.from(await blob.arrayBuffer()));
    // The links become copies of their own: editing the backup must never reach the live files.
    for (const rel of files) {
      const file = path.join(out, rel);
      await copyFile(file, `${file}.copy`);
      await rename(`${file}.copy`, file);
    }
    taken = files;
  } else {
    if (at.databaseUrl) await dumpPostgres(at.databaseUrl, path.join(out, dbFile));
    else await dumpPglite(path.join(at.dataDir, 'pgdata'), path.join(out, dbFile));
    taken = await takeFiles(copyInto);
  }
  // Hashed from the backup's own copies: the manifest describes what the backup holds.
  const files: BackupFile[] = [await describe(out, dbFile)];
  for (const rel of taken) files.push(await describe(out, rel));
  const manifest: BackupManifest = {
    format: FORMAT,
    createdAt: new Date().toISOString(),
    database: { kind, file: dbFile },
    dataDirUrl: pathToFileURL(path.resolve(at.dataDir)).href,
    files,
  };
  await seal(out, manifest);
  return { manifest, ms: performance.now() - started, lockedMs };
}

async function copyInto(from: string, out: string, target: string): Promise<string> {
  await mkdir(path.dirname(path.join(out, target)), { recursive: true });
  await copyFile(from, path.join(out, target));
  return target;
}

/**
 * A hard link where the backup folder is on the same file system (instant, and the bytes stay
 * even when the platform deletes the file next); a copy elsewhere.
 */
async function linkInto(from: string, out: string, target: string): Promise<string> {
  await mkdir(path.dirname(path.join(out, target)), { recursive: true });
  try {
    await link(from, path.join(out, target));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw e;
    await copyFile(from, path.join(out, target));
  }
  return target;
}
