/**
 * The artifact URI of a built-in catalog model: `catalog://<name>/<version>`. It names the model,
 * not a folder, so it is the same in every process; each process resolves it to its own build of
 * the catalog (DATA_DIR/catalog/<name>), which it makes at start (CatalogSeeder).
 */
export const CATALOG_SCHEME = 'catalog:';

export function catalogUri(name: string, version: number): string {
  return `catalog://${name}/${version}`;
}

/** The name and version a catalog URI names, or null for any other URI (or a malformed one). */
export function parseCatalogUri(uri: string): { name: string; version: number } | null {
  const m = /^catalog:\/\/([a-z0-9][a-z0-9-]{0,62})\/(\d{1,6})$/.exec(uri);
  return m ? { name: m[1]!, version: Number(m[2]) } : null;
}
