import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { needsPostgres } from '../support/database';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';

const d = needsPostgres('models e2e') ? describe : describe.skip;

const CREATE = `mutation($i: CreateModelInput!) { createModel(input: $i) { name public versions { version } } }`;
const PUBLISH = `mutation($i: PublishModelVersionInput!) { publishModelVersion(input: $i) { version status sizeBytes sha256 } }`;
const ALIAS = `mutation($i: SetModelAliasInput!) { setModelAlias(input: $i) { aliases { name version canaryVersion canaryWeight } } }`;
const PREDICT = `mutation($i: PredictInput!) { predict(input: $i) { outputs version usage { units } } }`;
const SIGNATURE = {
  inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 3] }],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 2] }],
};

/** A real TF.js LayersModel (dense 3 -> 2, fixed weights) saved to model.json + one shard. */
async function layersArtifact(bias: number): Promise<{ path: string; contentBase64: string }[]> {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 2,
        inputShape: [3],
        kernelInitializer: 'ones',
        biasInitializer: tf.initializers.constant({ value: bias }),
      }),
    ],
  });
  let files: { path: string; contentBase64: string }[] = [];
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const json = {
        format: 'layers-model',
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }],
      };
      files = [
        { path: 'model.json', contentBase64: Buffer.from(JSON.stringify(json)).toString('base64') },
        { path: 'group1-shard1of1.bin', contentBase64: Buffer.from(a.weightData as ArrayBuffer).toString('base64') },
      ];
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  return files;
}

d('models: create, upload, validate, version, alias, tenant isolation', () => {
  let t: TestApp;
  let key: string;
  let other: string;
  let tenantId: string;
  let good: { path: string; contentBase64: string }[];
  beforeAll(async () => {
    t = await startTestApp();
    const s = await signUp(t.http, 'Uploader');
    tenantId = s.tenantId;
    key = (await createKey(t.http, s, ['inference:run', 'models:read', 'models:write'])).secret;
    other = (await createKey(t.http, await signUp(t.http, 'Other'), ['inference:run', 'models:read', 'models:write']))
      .secret;
    good = await layersArtifact(0);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  const versions = async () =>
    Number((await t.sql.query(`select count(*) from model_versions where "tenantId" = $1`, [tenantId])).rows[0].count);
  const tenantFiles = () => {
    const dir = resolve(process.env.DATA_DIR ?? './.data', 'models', tenantId);
    return existsSync(dir) ? readdirSync(dir) : [];
  };
  const publish = (files: unknown, extra: Record<string, unknown> = {}, k = key) =>
    gql(
      t.http,
      PUBLISH,
      { i: { model: 'scorer', format: 'layers', pricingUnit: 'request', ...SIGNATURE, files, ...extra } },
      { key: k },
    );

  it('creates a private model and publishes a validated version 1; audited', async () => {
    const created = await gql(
      t.http,
      CREATE,
      { i: { name: 'scorer', description: 'sums', task: 'regression' } },
      { key },
    );
    expect(created.body.data.createModel).toMatchObject({ name: 'scorer', public: false, versions: [] });
    const dup = await gql(t.http, CREATE, { i: { name: 'scorer', task: 'regression' } }, { key });
    expect(dup.body.errors[0].extensions.code).toBe('CONFLICT');
    const res = await publish(good);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.publishModelVersion).toMatchObject({ version: 1, status: 'READY' });
    const p = await gql(t.http, PREDICT, { i: { model: 'scorer', inputs: { x: [[1, 2, 3]] } } }, { key });
    expect(p.body.data.predict).toMatchObject({ version: 1, outputs: { y: [[6, 6]] }, usage: { units: 1 } });
    const actions = (
      await t.sql.query(`select action from audit_events where "tenantId" = $1 order by seq`, [tenantId])
    ).rows.map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['model.create', 'model.publish', 'inference.predict']));
  });

  it('refuses truncated, lying or broken artifacts and leaves no row and no files', async () => {
    const before = await versions();
    const filesBefore = tenantFiles().length;
    const shard = Buffer.from(good[1].contentBase64, 'base64');
    const manifest = JSON.parse(Buffer.from(good[0].contentBase64, 'base64').toString());
    const lying = { ...manifest, weightsManifest: [{ ...manifest.weightsManifest[0], paths: ['../../etc/passwd'] }] };
    const cases: [unknown, Record<string, unknown>?][] = [
      [[good[0], { path: good[1].path, contentBase64: shard.subarray(0, shard.length - 4).toString('base64') }]], // truncated shard
      [[{ path: 'model.json', contentBase64: Buffer.from('{"modelTopology":').toString('base64') }, good[1]]], // truncated model.json
      [[{ path: 'model.json', contentBase64: Buffer.from(JSON.stringify(lying)).toString('base64') }, good[1]]], // lying shard path
      [[good[0]]], // missing shard
      [[...good, { path: 'extra.bin', contentBase64: 'AAAA' }]], // unreferenced file
      [[good[0], { path: good[1].path, contentBase64: '%%%' }]], // not base64
      [good, { format: 'graph' }], // wrong format
      [good, { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 5] }] }], // declared shape the model can't take: dry run fails
      [good, { outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, 3] }] }], // lying output shape
      [good, { inputs: [{ name: 'x', datatype: 'FP32', shape: [3] }] }], // no instance dimension
    ];
    for (const [files, extra] of cases) {
      const res = await publish(files, extra);
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect(await versions()).toBe(before);
    expect(tenantFiles().length).toBe(filesBefore);
  });

  it('refuses an upload over the plan limit', async () => {
    await t.sql.query(
      `update plans set "maxUploadBytes" = 100 where id = (select "planId" from tenants where id = $1)`,
      [tenantId],
    );
    try {
      const res = await publish(good);
      expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UPLOAD_TOO_LARGE' });
    } finally {
      await t.sql.query(
        `update plans set "maxUploadBytes" = 52428800 where id = (select "planId" from tenants where id = $1)`,
        [tenantId],
      );
    }
  });

  it('publishes version 2, moves stable to it and back (rollback), and splits traffic to a canary', async () => {
    const v2 = await publish(await layersArtifact(10));
    expect(v2.body.data.publishModelVersion.version).toBe(2);
    const run = async (version?: string) =>
      (await gql(t.http, PREDICT, { i: { model: 'scorer', version, inputs: { x: [[0, 0, 0]] } } }, { key })).body.data
        .predict;
    expect((await run()).version).toBe(2); // no stable alias yet: the newest ready version
    await gql(t.http, ALIAS, { i: { model: 'scorer', alias: 'stable', version: 1 } }, { key });
    expect(await run()).toMatchObject({ version: 1, outputs: { y: [[0, 0]] } });
    expect(await run('2')).toMatchObject({ version: 2, outputs: { y: [[10, 10]] } });
    const canary = await gql(
      t.http,
      ALIAS,
      { i: { model: 'scorer', alias: 'stable', version: 1, canaryVersion: 2, canaryWeight: 1 } },
      { key },
    );
    expect(canary.body.data.setModelAlias.aliases).toEqual([
      { name: 'stable', version: 1, canaryVersion: 2, canaryWeight: 1 },
    ]);
    expect((await run()).version).toBe(2);
    await gql(t.http, ALIAS, { i: { model: 'scorer', alias: 'stable', version: 1 } }, { key });
    expect((await run()).version).toBe(1);
    const bad = await gql(t.http, ALIAS, { i: { model: 'scorer', alias: 'stable', version: 9 } }, { key });
    expect(bad.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const audit = await t.sql.query(
      `select count(*) from audit_events where "tenantId" = $1 and action = 'model.alias_set'`,
      [tenantId],
    );
    expect(Number(audit.rows[0].count)).toBe(3);
  });

  it("another tenant's private model is NOT_FOUND everywhere; the public catalog is read-only", async () => {
    const p = await gql(t.http, PREDICT, { i: { model: 'scorer', inputs: { x: [[1, 2, 3]] } } }, { key: other });
    expect(p.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const m = await gql(t.http, `{ model(name: "scorer") { name } }`, {}, { key: other });
    expect(m.body.data.model).toBeNull();
    const list = await gql(t.http, `{ models(first: 50) { edges { node { name } } } }`, {}, { key: other });
    expect(list.body.data.models.edges.map((e: { node: { name: string } }) => e.node.name)).not.toContain('scorer');
    for (const res of [
      await publish(good, {}, other),
      await gql(t.http, ALIAS, { i: { model: 'scorer', alias: 'stable', version: 1 } }, { key: other }),
      await gql(t.http, ALIAS, { i: { model: 'iris', alias: 'stable', version: 1 } }, { key: other }),
      await gql(t.http, PUBLISH, { i: { model: 'iris', format: 'layers', ...SIGNATURE, files: good } }, { key: other }),
    ])
      expect(res.body.errors[0].extensions.code).toBe('NOT_FOUND');
  });
});
