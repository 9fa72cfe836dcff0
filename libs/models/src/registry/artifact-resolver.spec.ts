import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sha256Of } from '@app/inference';
import type { ArtifactStore } from '../artifacts/artifact-store';
import { catalogUri, parseCatalogUri } from '../catalog/catalog-uri';
import { modelsConfigFromEnv } from '../models.config';
import { ArtifactResolver } from './artifact-resolver';

describe('ArtifactResolver', () => {
  let dataDir: string;
  const asked: string[] = [];
  const store = (kind: 'local' | 's3'): ArtifactStore =>
    ({
      kind,
      put: () => Promise.reject(new Error('unused')),
      localDir: async (uri: string) => {
        asked.push(uri);
        return '/from/the/store';
      },
      remove: () => Promise.resolve(),
    }) as unknown as ArtifactStore;
  const resolver = (kind: 'local' | 's3' = 'local') =>
    new ArtifactResolver(store(kind), modelsConfigFromEnv({ DATA_DIR: dataDir }));

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'resolver-'));
    await mkdir(join(dataDir, 'catalog', 'iris'), { recursive: true });
    await writeFile(join(dataDir, 'catalog', 'iris', 'model.json'), '{"own":"build"}');
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));
  beforeEach(() => (asked.length = 0));

  it('catalog URIs name a model, not a folder: round trip, and malformed ones are not catalog URIs', () => {
    expect(catalogUri('nsfw-mobilenet-v2', 1)).toBe('catalog://nsfw-mobilenet-v2/1');
    expect(parseCatalogUri('catalog://iris/1')).toEqual({ name: 'iris', version: 1 });
    for (const bad of ['catalog://../etc/1', 'catalog://iris', 'catalog://Iris/1', 'file:///x', 'catalog://a/b/1'])
      expect(parseCatalogUri(bad)).toBeNull();
  });

  it("a catalog URI resolves to this process's own build, checked against that build's digests", async () => {
    const got = await resolver().resolve('catalog://iris/1', [{ path: 'model.json', sha256: 'from-another-process' }]);
    expect(got.dir).toBe(join(dataDir, 'catalog', 'iris'));
    expect(got.files).toEqual([{ path: 'model.json', sha256: sha256Of(Buffer.from('{"own":"build"}')) }]);
    expect(asked).toEqual([]);
  });

  it('a catalog model this process has not built is an error, not a guess', async () => {
    await expect(resolver().resolve('catalog://nsfw-mobilenet-v2/1')).rejects.toThrow(/not built in this process/);
  });

  it("other URIs go through the artifact store, with the row's digests", async () => {
    const files = [{ path: 'model.json', sha256: 'a'.repeat(64) }];
    expect(await resolver('s3').resolve('s3://bucket/models/t/v/', files)).toEqual({ dir: '/from/the/store', files });
    expect(asked).toEqual(['s3://bucket/models/t/v/']);
  });

  it("a sent URI: catalog, the remote store's, or a file:// inside this process's own store; never a path", async () => {
    const own = pathToFileURL(join(dataDir, 'models', 'ten_1', 'mv_1')).href;
    await expect(resolver('local').resolveSent(own)).resolves.toMatchObject({ dir: '/from/the/store' });
    await expect(resolver('s3').resolveSent('s3://bucket/models/t/v/')).resolves.toMatchObject({
      dir: '/from/the/store',
    });
    await expect(resolver('s3').resolveSent('catalog://iris/1')).resolves.toMatchObject({
      dir: join(dataDir, 'catalog', 'iris'),
    });
    asked.length = 0;
    const refused = [
      '/etc/passwd',
      'file:///etc/',
      pathToFileURL(join(dataDir, 'models', '..', 'elsewhere')).href,
      pathToFileURL(join(dataDir, 'catalog', 'iris')).href,
      'catalog://../../etc/1',
      'http://169.254.169.254/latest/',
      42,
      undefined,
    ];
    for (const uri of refused)
      await expect(resolver('local').resolveSent(uri)).rejects.toMatchObject({ reason: 'ARTIFACT_URI_REFUSED' });
    // An s3 URI where this process has no bucket: refused, not fetched from somewhere else.
    await expect(resolver('local').resolveSent('s3://bucket/models/t/v/')).rejects.toMatchObject({
      reason: 'ARTIFACT_URI_REFUSED',
    });
    expect(asked).toEqual([]);
  });
});
