import request from 'supertest';
import { needsPostgres } from '../support/database';
import { irisCsv } from '../support/public-datasets';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';
import { createDataset, startTraining, train, waitForJob } from '../support/training-api';

const d = needsPostgres('training e2e') ? describe : describe.skip;
const PREDICT = `mutation($i: PredictInput!) { predict(input: $i) { outputs version usage { units } } }`;
const CANCEL = `mutation($id: ID!) { cancelTraining(id: $id) { id status } }`;

d('training: a tenant trains a model on its dataset and serves it', () => {
  let t: TestApp;
  let key: { key: string };
  let other: { key: string };
  let tenantId: string;
  const iris = irisCsv();
  let datasetId: string;
  let job: Awaited<ReturnType<typeof train>>;

  beforeAll(async () => {
    // A distinctive hold size: the training's reservation can be told from the ledger's leases.
    t = await startTestApp({ QUEUE_DRIVER: 'inprocess', JOB_SWEEP_INTERVAL_MS: '500', TRAINING_MAX_SECONDS: '777' });
    const s = await signUp(t.http, 'Trainer');
    tenantId = s.tenantId;
    key = {
      key: (await createKey(t.http, s, ['models:read', 'models:write', 'inference:run', 'usage:read', 'audit:read']))
        .secret,
    };
    other = {
      key: (await createKey(t.http, await signUp(t.http, 'Other'), ['models:read', 'models:write', 'inference:run']))
        .secret,
    };
    datasetId = (await createDataset(t, key, 'iris-train', 'CSV', iris.train)).id;
    job = await train(t, key, {
      model: 'my-iris',
      dataset: datasetId,
      target: 'species',
      epochs: 60,
      batchSize: 16,
      learningRate: 0.02,
      hiddenUnits: [16],
      seed: 7,
    });
  }, 300_000);
  afterAll(async () => t?.close());

  it('publishes a READY version with its labels, feature columns, history and validation metrics', async () => {
    expect(job.task).toBe('CLASSIFICATION');
    expect(job.history.length).toBe(60);
    expect(job.progress).toMatchObject({ epoch: 60, epochs: 60 });
    expect(job.history.at(-1).loss).toBeLessThan(job.history[0].loss);
    const v = job.modelVersion;
    expect(v).toMatchObject({
      version: 1,
      status: 'READY',
      labels: ['setosa', 'versicolor', 'virginica'],
      featureColumns: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
    });
    expect(v.inputs).toEqual(v.featureColumns.map((name: string) => ({ name, datatype: 'FP32', shape: [-1] })));
    expect(v.outputs).toEqual([
      { name: 'probabilities', datatype: 'FP32', shape: [-1, 3], labels: ['setosa', 'versicolor', 'virginica'] },
    ]);
    expect(v.metrics.validationRows).toBe(24);
    expect(v.metrics.valAccuracy).toBeGreaterThan(0.8);
    expect(job.computeMs).toBeGreaterThan(0);
  });

  it('answers raw columns through predict (GraphQL) and TF Serving rows, billed and audited', async () => {
    const inputs = {
      sepal_length: [5.1, 6.7],
      sepal_width: [3.5, 3.0],
      petal_length: [1.4, 5.2],
      petal_width: [0.2, 2.3],
    };
    const res = await gql(t.http, PREDICT, { i: { model: 'my-iris', inputs } }, key);
    expect(res.body.errors).toBeUndefined();
    const probs = res.body.data.predict.outputs.probabilities as number[][];
    expect(probs).toHaveLength(2);
    expect(probs[0].indexOf(Math.max(...probs[0]))).toBe(0);
    expect(probs[1].indexOf(Math.max(...probs[1]))).toBe(2);
    expect(res.body.data.predict.usage.units).toBe(2);
    const rows = await request(t.http)
      .post('/v1/models/my-iris:predict')
      .set('authorization', `Bearer ${key.key}`)
      .send({
        instances: [
          { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 },
          { sepal_length: 6.7, sepal_width: null, petal_length: 5.2, petal_width: 2.3 },
        ],
      });
    expect(rows.status).toBe(200);
    expect(rows.body.predictions[0][0]).toBeCloseTo(probs[0][0], 5);
    expect(rows.body.predictions[1].indexOf(Math.max(...rows.body.predictions[1]))).toBe(2);
    const oip = await request(t.http)
      .post('/v2/models/my-iris/infer')
      .set('authorization', `Bearer ${key.key}`)
      .send({ inputs: Object.entries(inputs).map(([name, data]) => ({ name, shape: [2], datatype: 'FP32', data })) });
    expect(oip.status).toBe(200);
    expect(oip.body.outputs[0].data[0]).toBeCloseTo(probs[0][0], 5);
    const usage = await t.sql.query(
      `SELECT kind, units::int, "modelVersionId" FROM usage_records WHERE "tenantId" = $1 ORDER BY "occurredAt"`,
      [tenantId],
    );
    expect(usage.rows[0]).toMatchObject({ kind: 'training', units: Math.ceil(job.computeMs / 1000) });
    expect(usage.rows.filter((r) => r.kind === 'inference').length).toBe(3);
    const audit = await t.sql.query(`SELECT action FROM audit_events WHERE "tenantId" = $1 ORDER BY seq`, [tenantId]);
    expect(audit.rows.map((r) => r.action)).toEqual(
      expect.arrayContaining([
        'dataset.create',
        'model.create',
        'training.start',
        'model.publish',
        'training.complete',
        'inference.predict',
      ]),
    );
  });

  it('runs as an async inference job too (TF Serving-style row instances)', async () => {
    const submit = await gql(
      t.http,
      `mutation($i: SubmitInferenceJobInput!) { submitInferenceJob(input: $i) { id } }`,
      {
        i: {
          model: 'my-iris',
          instances: [
            { sepal_length: 5.1, sepal_width: 3.5, petal_length: 1.4, petal_width: 0.2 },
            { sepal_length: 6.7, sepal_width: null, petal_length: 5.2, petal_width: 2.3 },
          ],
        },
      },
      key,
    );
    expect(submit.body.errors).toBeUndefined();
    const id = submit.body.data.submitInferenceJob.id;
    let job: { status: string; outputs: { probabilities: number[] }[] } | undefined;
    for (let i = 0; i < 200 && job?.status !== 'SUCCEEDED'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      job = (await gql(t.http, `query($id: ID!) { inferenceJob(id: $id) { status outputs } }`, { id }, key)).body.data
        .inferenceJob;
    }
    expect(job?.status).toBe('SUCCEEDED');
    const p = job!.outputs[1].probabilities;
    expect(p.indexOf(Math.max(...p))).toBe(2);
  });

  it('refuses bad serving input with stable codes', async () => {
    const res = await gql(
      t.http,
      PREDICT,
      {
        i: { model: 'my-iris', inputs: { sepal_length: ['x'], sepal_width: [1], petal_length: [1], petal_width: [1] } },
      },
      key,
    );
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_INPUT' });
    const missing = await gql(t.http, PREDICT, { i: { model: 'my-iris', inputs: { sepal_length: [1] } } }, key);
    expect(missing.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('another tenant can neither train on the dataset nor read the job', async () => {
    const res = await startTraining(t, other, { model: 'stolen', dataset: datasetId, target: 'species' });
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'DATASET_NOT_FOUND' });
    const read = await gql(t.http, `query($id: ID!) { trainingJob(id: $id) { id } }`, { id: job.id }, other);
    expect(read.body.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'TRAINING_JOB_NOT_FOUND' });
    const cancel = await gql(t.http, CANCEL, { id: job.id }, other);
    expect(cancel.body.errors[0].extensions.code).toBe('NOT_FOUND');
  });

  it('refuses unknown columns and bad hyper-parameters at once, nothing queued', async () => {
    const unknown = await startTraining(t, key, { model: 'x', dataset: datasetId, target: 'colour' });
    expect(unknown.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UNKNOWN_COLUMN' });
    const feature = await startTraining(t, key, {
      model: 'x',
      dataset: datasetId,
      target: 'species',
      features: ['nope'],
    });
    expect(feature.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UNKNOWN_COLUMN' });
    const reg = await startTraining(t, key, { model: 'x', dataset: datasetId, target: 'species', task: 'REGRESSION' });
    expect(reg.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'NON_NUMERIC_TARGET' });
    const lr = await startTraining(t, key, { model: 'x', dataset: datasetId, target: 'species', learningRate: -1 });
    expect(lr.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_PARAMETER' });
    const jobs = await t.sql.query(`SELECT count(*)::int AS n FROM training_jobs WHERE "tenantId" = $1`, [tenantId]);
    expect(jobs.rows[0].n).toBe(1);
  });

  it('a target with one class fails the job with its reason; quota released, nothing published', async () => {
    const one = 'a,b,label\n' + Array.from({ length: 20 }, (_, i) => `${i},${i * 2},same`).join('\n');
    const ds = await createDataset(t, key, 'one-class', 'CSV', one);
    const res = await startTraining(t, key, { model: 'one', dataset: ds.id, target: 'label' });
    expect(res.body.errors).toBeUndefined();
    const failed = await waitForJob(t, key, res.body.data.startTraining.id);
    expect(failed).toMatchObject({
      status: 'FAILED',
      error: { code: 'BAD_USER_INPUT', reason: 'SINGLE_CLASS' },
      modelVersion: null,
    });
    const versions = await t.sql.query(
      `SELECT count(*)::int AS n FROM model_versions v JOIN models m ON m.id = v."modelId" WHERE m.name = 'one' AND m."tenantId" = $1`,
      [tenantId],
    );
    expect(versions.rows[0].n).toBe(0);
    const held = await t.sql.query(
      `SELECT count(*)::int AS n FROM quota_reservations WHERE "tenantId" = $1 AND units = 777`,
      [tenantId],
    );
    expect(held.rows[0].n).toBe(0);
  });

  it('a diverging training (NaN loss) fails with DIVERGED', async () => {
    const huge = 'x,y\n' + Array.from({ length: 40 }, (_, i) => `${i},${i % 2 ? 1e30 : -1e30}`).join('\n');
    const ds = await createDataset(t, key, 'huge', 'CSV', huge);
    const res = await startTraining(t, key, {
      model: 'huge',
      dataset: ds.id,
      target: 'y',
      task: 'REGRESSION',
      learningRate: 10,
      epochs: 50,
    });
    const failed = await waitForJob(t, key, res.body.data.startTraining.id);
    expect(failed).toMatchObject({ status: 'FAILED', error: { reason: 'DIVERGED' } });
  });

  it('cancels a running training: CANCELLED, nothing published or billed', async () => {
    const res = await startTraining(t, key, {
      model: 'cancelled',
      dataset: datasetId,
      target: 'species',
      epochs: 1000,
      batchSize: 1,
    });
    const id = res.body.data.startTraining.id;
    await waitForJob(t, key, id, (j: { history: unknown[] }) => j.history.length >= 1);
    const cancel = await gql(t.http, CANCEL, { id }, key);
    expect(cancel.body.errors).toBeUndefined();
    const done = await waitForJob(t, key, id);
    expect(done).toMatchObject({ status: 'CANCELLED', modelVersion: null });
    expect(done.history.length).toBeLessThan(1000);
    const again = await gql(t.http, CANCEL, { id }, key);
    expect(again.body.errors[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'JOB_FINISHED' });
    const usage = await t.sql.query(`SELECT count(*)::int AS n FROM usage_records WHERE "jobId" = $1`, [id]);
    expect(usage.rows[0].n).toBe(0);
  });
});
