import { createHash } from 'node:crypto';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { needsPostgres } from '../support/database';
import { DENSE_SIGNATURE, layersArtifact, UploadFile } from '../support/layers-artifact';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';

const d = needsPostgres('model deletion e2e') ? describe : describe.skip;

const CREATE = `mutation($i: CreateModelInput!) { createModel(input: $i) { name } }`;
const PUBLISH = `mutation($i: PublishModelVersionInput!) { publishModelVersion(input: $i) { version sha256 } }`;
const ALIAS = `mutation($i: SetModelAliasInput!) { setModelAlias(input: $i) { name } }`;
const PREDICT = `mutation($i: PredictInput!) { predict(input: $i) { outputs version } }`;
const DELETE_VERSION = `mutation($m: String!, $v: String!) { deleteModelVersion(model: $m, version: $v) { version sha256 } }`;
const DELETE_MODEL = `mutation($n: String!) { deleteModel(name: $n) { name versions { version } } }`;

d('models: delete versions and models, artifact integrity', () => {
  let t: TestApp;
  let key: string;
  let other: string;
  let tenantId: string;
  let files: UploadFile[];
  beforeAll(async () => {
    t = await startTestApp();
    const s = await signUp(t.http, 'Deleter');
    tenantId = s.tenantId;
    key = (await createKey(t.http, s, ['inference:run', 'models:read', 'models:write'])).secret;
    other = (await createKey(t.http, await signUp(t.http, 'Other'), ['inference:run', 'models:read', 'models:write']))
      .secret;
    files = await layersArtifact(1);
    await gql(t.http, CREATE, { i: { name: 'doomed', task: 'regression' } }, { key });
    for (let i = 0; i < 3; i++) {
      const res = await gql(
        t.http,
        PUBLISH,
        { i: { model: 'doomed', format: 'layers', pricingUnit: 'request', ...DENSE_SIGNATURE, files } },
        { key },
      );
      expect(res.body.errors).toBeUndefined();
    }
    await gql(
      t.http,
      ALIAS,
      { i: { model: 'doomed', alias: 'stable', version: 1, canaryVersion: 2, canaryWeight: 0.5 } },
      { key },
    );
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  const version = async (n: number) =>
    (
      await t.sql.query(
        `select v.id, v."artifactUri" from model_versions v join models m on m.id = v."modelId" where m."tenantId" = $1 and v.version = $2`,
        [tenantId, n],
      )
    ).rows[0] as { id: string; artifactUri: string } | undefined;
  const blobs = () => {
    const dir = join(resolve(process.env.DATA_DIR ?? './.data'), 'models', tenantId, 'sha256');
    return existsSync(dir) ? readdirSync(dir) : [];
  };
  const audits = async (action: string) =>
    Number(
      (await t.sql.query(`select count(*) from audit_events where "tenantId" = $1 and action = $2`, [tenantId, action]))
        .rows[0].count,
    );

  it('refuses to delete a version an alias or a canary serves (CONFLICT), and nothing changes', async () => {
    for (const v of ['1', '2']) {
      const res = await gql(t.http, DELETE_VERSION, { m: 'doomed', v }, { key });
      expect(res.body.errors[0].extensions).toMatchObject({
        code: 'CONFLICT',
        reason: 'VERSION_IN_USE',
        details: { aliases: ['stable'] },
      });
    }
    expect(await version(1)).toBeDefined();
    expect(await version(2)).toBeDefined();
    expect(await audits('model.version_delete')).toBe(0);
  });

  it('deletes an unserved version: row and files gone, its usage and audit kept, audited', async () => {
    const v3 = (await version(3))!;
    const run = await gql(
      t.http,
      PREDICT,
      { i: { model: 'doomed', version: '3', inputs: { x: [[1, 1, 1]] } } },
      { key },
    );
    expect(run.body.data.predict).toMatchObject({ version: 3, outputs: { y: [[4, 4]] } });
    const dir = fileURLToPath(v3.artifactUri);
    expect(existsSync(dir)).toBe(true);
    const res = await gql(t.http, DELETE_VERSION, { m: 'doomed', v: '3' }, { key });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.deleteModelVersion.version).toBe(3);
    expect(await version(3)).toBeUndefined();
    expect(existsSync(dir)).toBe(false);
    // Its files are the same as versions 1 and 2's (content-addressed, stored once): they stay.
    expect(blobs()).toHaveLength(2);
    const usage = await t.sql.query(`select count(*) from usage_records where "modelVersionId" = $1`, [v3.id]);
    expect(Number(usage.rows[0].count)).toBe(1);
    const predicted = await t.sql.query(
      `select count(*) from audit_events where "tenantId" = $1 and action = 'inference.predict' and "targetId" = $2`,
      [tenantId, v3.id],
    );
    expect(Number(predicted.rows[0].count)).toBe(1);
    expect(await audits('model.version_delete')).toBe(1);
    const again = await gql(
      t.http,
      PREDICT,
      { i: { model: 'doomed', version: '3', inputs: { x: [[1, 1, 1]] } } },
      { key },
    );
    expect(again.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const twice = await gql(t.http, DELETE_VERSION, { m: 'doomed', v: '3' }, { key });
    expect(twice.body.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'VERSION_NOT_FOUND' });
  });

  it("another tenant's model is NOT_FOUND; catalog models are read-only", async () => {
    for (const res of [
      await gql(t.http, DELETE_VERSION, { m: 'doomed', v: '1' }, { key: other }),
      await gql(t.http, DELETE_MODEL, { n: 'doomed' }, { key: other }),
    ])
      expect(res.body.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'MODEL_NOT_FOUND' });
    for (const res of [
      await gql(t.http, DELETE_VERSION, { m: 'iris', v: '1' }, { key }),
      await gql(t.http, DELETE_MODEL, { n: 'iris' }, { key }),
    ])
      expect(res.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', reason: 'READ_ONLY' });
    const iris = await gql(
      t.http,
      PREDICT,
      { i: { model: 'iris', inputs: { features: [[5.1, 3.5, 1.4, 0.2]] } } },
      { key },
    );
    expect(iris.body.errors).toBeUndefined();
    expect(await version(1)).toBeDefined();
    const bad = await gql(t.http, DELETE_VERSION, { m: 'doomed', v: 'stable' }, { key });
    expect(bad.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('refuses to serve an artifact changed in the store after publishing (ARTIFACT_INTEGRITY)', async () => {
    // Content-addressed: the three versions published from the same files share one blob per file.
    const bytes = Buffer.from(files[1].contentBase64, 'base64');
    const dataDir = resolve(process.env.DATA_DIR ?? './.data');
    const blob = join(dataDir, 'models', tenantId, 'sha256', createHash('sha256').update(bytes).digest('hex'));
    expect(existsSync(blob)).toBe(true);
    const changed = Buffer.from(bytes);
    changed.writeFloatLE(100, 0); // one weight changed: the file still loads, the digest does not match
    writeFileSync(blob, changed);
    // As a fresh worker would: nothing of this version in the local cache yet.
    rmSync(join(dataDir, 'artifact-cache'), { recursive: true, force: true });
    const res = await gql(
      t.http,
      PREDICT,
      { i: { model: 'doomed', version: '2', inputs: { x: [[1, 1, 1]] } } },
      { key },
    );
    expect(res.body.errors[0].extensions).toMatchObject({
      code: 'INTERNAL',
      reason: 'ARTIFACT_INTEGRITY',
      details: { file: 'group1-shard1of1.bin' },
    });
    expect(res.body.errors[0].message).toMatch(/does not match its recorded SHA-256/);
    // Nothing refused was cached: with the stored file put right, the version serves.
    writeFileSync(blob, bytes);
    const ok = await gql(
      t.http,
      PREDICT,
      { i: { model: 'doomed', version: '2', inputs: { x: [[1, 1, 1]] } } },
      { key },
    );
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data.predict.outputs).toEqual({ y: [[4, 4]] });
  });

  it('refuses while a queued job would run on the version, and deletes once it is done', async () => {
    const v1 = (await version(1))!;
    await t.sql.query(
      `insert into inference_jobs (id, "tenantId", "modelVersionId", status, total, instances) values ('job_del_1', $1, $2, 'QUEUED', 1, '[]')`,
      [tenantId, v1.id],
    );
    const res = await gql(t.http, DELETE_MODEL, { n: 'doomed' }, { key });
    expect(res.body.errors[0].extensions).toMatchObject({
      code: 'CONFLICT',
      reason: 'VERSION_IN_USE',
      details: { pendingJobs: 1 },
    });
    expect(await version(1)).toBeDefined();
    await t.sql.query(`update inference_jobs set status = 'SUCCEEDED' where id = 'job_del_1'`);
  });

  it('deletes the whole model: versions, aliases and files go, audited once', async () => {
    const dirs = [(await version(1))!, (await version(2))!].map((v) => fileURLToPath(v.artifactUri));
    const res = await gql(t.http, DELETE_MODEL, { n: 'doomed' }, { key });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.deleteModel).toEqual({ name: 'doomed', versions: [{ version: 1 }, { version: 2 }] });
    for (const dir of dirs) expect(existsSync(dir)).toBe(false);
    // The last versions naming them are gone: so are the blobs.
    expect(blobs()).toEqual([]);
    const left = await t.sql.query(`select count(*) from models where "tenantId" = $1`, [tenantId]);
    expect(Number(left.rows[0].count)).toBe(0);
    expect(await audits('model.delete')).toBe(1);
    const verify = await gql(t.http, `{ model(name: "doomed") { name } }`, {}, { key });
    expect(verify.body.data.model).toBeNull();
  });
});
