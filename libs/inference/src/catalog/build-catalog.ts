import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { CatalogEntry } from './catalog-entry';
import { buildIris } from './iris-catalog.builder';
import { buildNsfwMobileNet } from './nsfw-catalog.builder';

/**
 * Builds the built-in models that are missing under `dir` (idempotent: a finished model is
 * reused) and lists them for the registry. Sequential: training and unpacking share 2 cores.
 */
export async function buildCatalog(dir: string): Promise<CatalogEntry[]> {
  const root = path.resolve(dir);
  await mkdir(root, { recursive: true });
  const iris = await buildIris(root);
  const nsfw = await buildNsfwMobileNet(root);
  return [iris, nsfw];
}
