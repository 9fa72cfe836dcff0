import { createServer } from 'node:net';
import * as tf from '@tensorflow/tfjs';
import { needsPostgres } from '../support/database';
import { DENSE_SIGNATURE, layersArtifact } from '../support/layers-artifact';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';

const d = needsPostgres('model download e2e') ? describe : describe.skip;

const DOWNLOAD = `query($m: String!, $v: String!) { modelVersionDownload(model: $m, version: $v) { url expiresAt files { path sha256 sizeBytes } } }`;
const SET = `mutation($m: String!, $e: Boolean!) { setModelDownloads(model: $m, enabled: $e) { name downloadsEnabled } }`;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/**
 * Real fetch over HTTP; only JSON parsing happens in this test's realm: Jest runs tests in a vm
 * context whose Array differs from Node's own, and TF.js checks `instanceof Array` on model.json.
 */
const fetchFunc = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
  const res = await fetch(input, init);
  return Object.assign(res, { json: async () => JSON.parse(await res.clone().text()) });
};
const load = (url: string) => tf.loadLayersModel(url, { fetchFunc });

d('models: modelVersionDownload for the edge, loaded by TF.js over real HTTP', () => {
  let t: TestApp;
  let key: string;
  let other: string;
  let tenantId: string;
  beforeAll(async () => {
    const port = await freePort();
    t = await startTestApp({ PUBLIC_URL: `http://127.0.0.1:${port}`, MODEL_DOWNLOAD_TTL_SECONDS: '60' });
    await t.app.listen(port, '127.0.0.1');
    const s = await signUp(t.http, 'Edge');
    tenantId = s.tenantId;
    key = (await createKey(t.http, s, ['inference:run', 'models:read', 'models:write'])).secret;
    other = (await createKey(t.http, await signUp(t.http, 'Other'), ['inference:run', 'models:read', 'models:write']))
      .secret;
    await gql(t.http, `mutation { createModel(input: { name: "edge", task: "regression" }) { name } }`, {}, { key });
    const files = await layersArtifact(2);
    const res = await gql(
      t.http,
      `mutation($i: PublishModelVersionInput!) { publishModelVersion(input: $i) { version } }`,
      { i: { model: 'edge', format: 'layers', pricingUnit: 'request', ...DENSE_SIGNATURE, files } },
      { key },
    );
    expect(res.body.errors).toBeUndefined();
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  it('hands out a signed model.json URL that tf.loadLayersModel loads as is, with the SHA-256 of each file; audited', async () => {
    const res = await gql(t.http, DOWNLOAD, { m: 'edge', v: '1' }, { key });
    expect(res.body.errors).toBeUndefined();
    const dl = res.body.data.modelVersionDownload;
    expect(dl.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/downloads\/[^/]+\/model\.json$/);
    expect(new Date(dl.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(60_000);
    expect(dl.files.map((f: { path: string }) => f.path)).toEqual(['group1-shard1of1.bin', 'model.json']);
    for (const f of dl.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    const json = (await (await fetch(dl.url)).json()) as { weightsManifest: { paths: string[] }[] };
    expect(json.weightsManifest[0].paths).toEqual(['group1-shard1of1.bin']);
    const model = await load(dl.url);
    const y = model.predict(tf.tensor2d([[1, 2, 3]])) as tf.Tensor;
    expect(Array.from(await y.data())).toEqual([8, 8]);
    tf.dispose([y]);
    model.dispose();
    const shard = await fetch(dl.url.replace(/model\.json$/, 'group1-shard1of1.bin'));
    const bytes = Buffer.from(await shard.arrayBuffer());
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(dl.files[0].sha256);
    expect(shard.headers.get('access-control-allow-origin')).toBe('*');
    const audit = await t.sql.query(
      `select metadata from audit_events where "tenantId" = $1 and action = 'model.download'`,
      [tenantId],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].metadata).toMatchObject({ model: 'edge', version: 1 });
  });

  it('the public catalog downloads too (iris by its stable alias)', async () => {
    const res = await gql(t.http, DOWNLOAD, { m: 'iris', v: 'stable' }, { key });
    const model = await load(res.body.data.modelVersionDownload.url);
    const p = model.predict(tf.tensor2d([[5.1, 3.5, 1.4, 0.2]])) as tf.Tensor;
    expect((await p.argMax(1).data())[0]).toBe(0); // setosa
    tf.dispose([p]);
    model.dispose();
  });

  it('refuses tampered, foreign and unknown links and files', async () => {
    const url: string = (await gql(t.http, DOWNLOAD, { m: 'edge', v: '1' }, { key })).body.data.modelVersionDownload
      .url;
    const token = url.split('/downloads/')[1].split('/')[0];
    const [body, sig] = token.split('.');
    // The same signature on a grant with a later expiry.
    const grant = (JSON.parse(Buffer.from(body, 'base64url').toString()) as unknown[]).map((x, i) =>
      i === 2 ? 9_999_999_999 : x,
    );
    const cases = [
      [url.replace(token, `${Buffer.from(JSON.stringify(grant)).toString('base64url')}.${sig}`), 403],
      [url.replace(/model\.json$/, '..%2F..%2Fpackage.json'), 404],
      [url.replace(/model\.json$/, 'other.bin'), 404],
      [url.replace(token, 'garbage'), 403],
    ] as const;
    for (const [u, status] of cases) expect((await fetch(u)).status).toBe(status);
    const unknown = await gql(t.http, DOWNLOAD, { m: 'edge', v: '7' }, { key });
    expect(unknown.body.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'VERSION_NOT_FOUND' });
  });

  it("another tenant's model is NOT_FOUND, and it cannot switch downloads", async () => {
    const res = await gql(t.http, DOWNLOAD, { m: 'edge', v: '1' }, { key: other });
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'MODEL_NOT_FOUND' });
    const set = await gql(t.http, SET, { m: 'edge', e: false }, { key: other });
    expect(set.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const iris = await gql(t.http, SET, { m: 'iris', e: false }, { key });
    expect(iris.body.errors[0].extensions.code).toBe('NOT_FOUND');
  });

  it('an owner switches downloads off: new URLs refused and links already issued stop working', async () => {
    const url: string = (await gql(t.http, DOWNLOAD, { m: 'edge', v: '1' }, { key })).body.data.modelVersionDownload
      .url;
    expect((await fetch(url)).status).toBe(200);
    const set = await gql(t.http, SET, { m: 'edge', e: false }, { key });
    expect(set.body.data.setModelDownloads).toEqual({ name: 'edge', downloadsEnabled: false });
    expect((await fetch(url)).status).toBe(403);
    const res = await gql(t.http, DOWNLOAD, { m: 'edge', v: '1' }, { key });
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'DOWNLOADS_DISABLED' });
    const audit = await t.sql.query(
      `select count(*) from audit_events where "tenantId" = $1 and action = 'model.downloads_set'`,
      [tenantId],
    );
    expect(Number(audit.rows[0].count)).toBe(1);
  });
});
