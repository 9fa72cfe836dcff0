import request from 'supertest';
import { needsPostgres } from '../support/database';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';

const d = needsPostgres('predict e2e') ? describe : describe.skip;

const PREDICT = `mutation($i: PredictInput!) { predict(input: $i) { outputs model version labels usage { units } timing { queueMs batchSize computeMs totalMs } } }`;
const SETOSA = [5.1, 3.5, 1.4, 0.2];
const VIRGINICA = [6.7, 3.0, 5.2, 2.3];

d('predict over GraphQL: built-in catalog, usage, audit, bad input', () => {
  let t: TestApp;
  let key: string;
  let tenantId: string;
  beforeAll(async () => {
    t = await startTestApp();
    const s = await signUp(t.http, 'Predictor');
    tenantId = s.tenantId;
    key = (await createKey(t.http, s, ['inference:run', 'models:read'])).secret;
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  const usageRows = async () =>
    Number((await t.sql.query(`select count(*) from usage_records where "tenantId" = $1`, [tenantId])).rows[0].count);
  const audits = async () =>
    (
      await t.sql.query(
        `select action, metadata from audit_events where "tenantId" = $1 and action = 'inference.predict' order by seq`,
        [tenantId],
      )
    ).rows;

  it('lists the public catalog with iris held-out accuracy and the stable alias', async () => {
    const res = await gql(
      t.http,
      `{ model(name: "iris") { name task public versions { version status metrics pricingUnit } aliases { name version } inputs { name datatype shape } outputs { name shape labels } } models(first: 10) { totalCount edges { node { name } } } }`,
      {},
      { key },
    );
    expect(res.body.errors).toBeUndefined();
    const iris = res.body.data.model;
    expect(iris).toMatchObject({
      name: 'iris',
      public: true,
      aliases: [{ name: 'stable', version: 1 }],
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
    });
    expect(iris.versions[0].status).toBe('READY');
    expect(iris.versions[0].metrics.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(iris.outputs[0].labels).toEqual(['setosa', 'versicolor', 'virginica']);
    const names = res.body.data.models.edges.map((e: { node: { name: string } }) => e.node.name);
    expect(names).toEqual(expect.arrayContaining(['iris', 'nsfw-mobilenet-v2']));
  });

  it('predicts iris: correct classes, units per instance, one usage row and one audit record with hashes', async () => {
    const res = await gql(
      t.http,
      PREDICT,
      { i: { model: 'iris', inputs: { features: [SETOSA, VIRGINICA] } } },
      { key },
    );
    expect(res.body.errors).toBeUndefined();
    const p = res.body.data.predict;
    expect(p).toMatchObject({ model: 'iris', version: 1, usage: { units: 2 } });
    expect(p.outputs.probabilities).toHaveLength(2);
    expect(p.labels[0][0].label).toBe('setosa');
    expect(p.labels[1][0].label).toBe('virginica');
    expect(p.timing.batchSize).toBeGreaterThanOrEqual(2);
    expect(await usageRows()).toBe(1);
    const [audit] = await audits();
    expect(audit.metadata).toMatchObject({ model: 'iris', version: 1, status: 'succeeded', units: 2 });
    expect(audit.metadata.inputSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(audit.metadata.outputSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(audit.metadata.inputs).toBeUndefined();
  });

  it('answers version "1" and alias "stable" the same; unknown model or version is NOT_FOUND', async () => {
    for (const version of ['1', 'stable']) {
      const ok = await gql(t.http, PREDICT, { i: { model: 'iris', version, inputs: { features: [SETOSA] } } }, { key });
      expect(ok.body.data.predict.version).toBe(1);
    }
    const before = await usageRows();
    for (const i of [
      { model: 'nope', inputs: { features: [SETOSA] } },
      { model: 'iris', version: '7', inputs: { features: [SETOSA] } },
      { model: 'iris', version: 'canary', inputs: { features: [SETOSA] } },
    ]) {
      const res = await gql(t.http, PREDICT, { i }, { key });
      expect(res.body.errors[0].extensions.code).toBe('NOT_FOUND');
    }
    expect(await usageRows()).toBe(before);
  });

  it('rejects bad input with BAD_USER_INPUT, bills nothing and keeps serving', async () => {
    const before = await usageRows();
    const bad: unknown[] = [
      { features: [[1, 2, 3]] }, // wrong shape
      { features: [['a', 'b', 'c', 'd']] }, // strings
      { features: [[null, 1, 2, 3]] }, // JSON's stand-in for NaN
      { features: [[1e39, 1, 2, 3]] }, // beyond FP32
      { features: [[1, 2, 3, 4]], extra: [[1]] }, // unknown input
      { features: Array.from({ length: 1025 }, () => SETOSA) }, // past the version's instance cap (iris: 1024)
      [SETOSA], // not an object
    ];
    for (const inputs of bad) {
      const res = await gql(t.http, PREDICT, { i: { model: 'iris', inputs } }, { key });
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const image = await gql(
      t.http,
      PREDICT,
      { i: { model: 'nsfw-mobilenet-v2', inputs: { image: Buffer.from('not an image').toString('base64') } } },
      { key },
    );
    expect(image.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'NOT_IMAGE' });
    expect(await usageRows()).toBe(before);
    const failed = (await audits()).filter((a) => a.metadata.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((a) => a.metadata.units === 0)).toBe(true);
    const ok = await gql(t.http, PREDICT, { i: { model: 'iris', inputs: { features: [SETOSA] } } }, { key });
    expect(ok.body.data.predict.model).toBe('iris');
  });

  it('needs the inference:run scope', async () => {
    const s = await signUp(t.http, 'Reader');
    const readOnly = (await createKey(t.http, s, ['models:read'])).secret;
    const res = await gql(t.http, PREDICT, { i: { model: 'iris', inputs: { features: [SETOSA] } } }, { key: readOnly });
    expect(res.body.errors[0].extensions.code).toBe('FORBIDDEN');
  });

  it('reports the TF.js backend in /readyz and /metrics', async () => {
    const ready = await request(t.http).get('/readyz');
    expect(ready.body.checks.inference).toMatchObject({ ok: true, backend: expect.any(String) });
    const metrics = await request(t.http).get('/metrics');
    expect(metrics.text).toMatch(/inference_backend_info\{backend="[a-z-]+"\} 1/);
  });
});
