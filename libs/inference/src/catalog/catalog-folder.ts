import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CatalogEntry } from './catalog-entry';

const ENTRY_FILE = 'catalog-entry.json';

/** A previously built entry, or undefined when the folder is missing or incomplete. */
export async function readBuiltEntry(artifactDir: string): Promise<CatalogEntry | undefined> {
  const file = path.join(artifactDir, ENTRY_FILE);
  if (!existsSync(file) || !existsSync(path.join(artifactDir, 'model.json'))) return undefined;
  const entry = JSON.parse(await readFile(file, 'utf8')) as CatalogEntry;
  return { ...entry, artifactDir };
}

/**
 * Builds into a private temporary folder and renames it into place, so a crash or a second
 * process building at the same time never leaves a half-written model that looks complete.
 */
export async function buildAtomically(
  artifactDir: string,
  build: (tmpDir: string) => Promise<Omit<CatalogEntry, 'artifactDir'>>,
): Promise<CatalogEntry> {
  const existing = await readBuiltEntry(artifactDir);
  if (existing) return existing;
  const tmpDir = `${artifactDir}.tmp-${process.pid}-${Date.now()}`;
  await mkdir(tmpDir, { recursive: true });
  try {
    const entry = await build(tmpDir);
    await writeFile(path.join(tmpDir, ENTRY_FILE), JSON.stringify(entry, null, 2));
    await rm(artifactDir, { recursive: true, force: true });
    await rename(tmpDir, artifactDir);
  } catch (e) {
    await rm(tmpDir, { recursive: true, force: true });
    const raced = await readBuiltEntry(artifactDir);
    if (raced) return raced;
    throw e;
  }
  return (await readBuiltEntry(artifactDir))!;
}
