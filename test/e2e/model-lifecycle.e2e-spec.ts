import { parse } from 'csv-parse/sync';
import { needsPostgres } from '../support/database';
import { bostonCsv, digitsCsv, irisCsv, spamJsonl } from '../support/public-datasets';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';
import { createDataset, train } from '../support/training-api';

const d = needsPostgres('model lifecycle e2e') ? describe : describe.skip;
const PREDICT = `mutation($i: PredictInput!) { predict(input: $i) { outputs } }`;
const EVAL_FIELDS =
  'id status model version rows accuracy macroF1 labels confusionMatrix perClass { label precision recall f1 support } mae rmse r2';
const EVALUATE = `mutation($i: EvaluateModelVersionInput!) { evaluateModelVersion(input: $i) { ${EVAL_FIELDS} } }`;
const OPTIMIZE = `mutation($i: OptimizeModelVersionInput!) { optimizeModelVersion(input: $i) { version quantization parentVersion sizeBytes metrics labels featureColumns } }`;
const held: Record<string, unknown> = {};

/** Held-out metrics of each real data set, printed once at the end (for the closing note). */
afterAll(() => console.log(`held-out metrics: ${JSON.stringify(held, null, 1)}`));

d('model lifecycle on real public data sets: train, evaluate, serve, quantise', () => {
  let t: TestApp;
  let key: { key: string };
  let other: { key: string };
  const evaluate = (i: Record<string, unknown>, auth = key) => gql(t.http, EVALUATE, { i }, auth);

  beforeAll(async () => {
    t = await startTestApp({ QUEUE_DRIVER: 'inprocess', BODY_LIMIT_BYTES: String(8 * 1024 * 1024) });
    const s = await signUp(t.http, 'Lifecycle');
    await t.sql.query(`UPDATE tenants SET "planId" = 'developer' WHERE id = $1`, [s.tenantId]);
    key = { key: (await createKey(t.http, s, ['models:read', 'models:write', 'inference:run'])).secret };
    other = {
      key: (await createKey(t.http, await signUp(t.http, 'Other'), ['models:read', 'models:write', 'inference:run']))
        .secret,
    };
  }, 120_000);
  afterAll(async () => t?.close());

  it('iris: the evaluation agrees with what the served version answers for the same rows', async () => {
    const iris = irisCsv();
    const trainSet = await createDataset(t, key, 'iris-train', 'CSV', iris.train);
    const testSet = await createDataset(t, key, 'iris-test', 'CSV', iris.test);
    await train(t, key, {
      model: 'iris-here',
      dataset: trainSet.id,
      target: 'species',
      epochs: 80,
      batchSize: 16,
      learningRate: 0.02,
      hiddenUnits: [16],
      seed: 3,
    });
    const res = await evaluate({ model: 'iris-here', version: '1', dataset: testSet.id, target: 'species' });
    expect(res.body.errors).toBeUndefined();
    const e = res.body.data.evaluateModelVersion;
    expect(e).toMatchObject({
      status: 'SUCCEEDED',
      rows: 30,
      version: 1,
      labels: ['setosa', 'versicolor', 'virginica'],
    });
    // The same rows through the public predict path, scored here independently.
    const rows = parse(iris.test, {
      columns: true,
      cast: (v, c) => (c.header || c.column === 'species' ? v : Number(v)),
    }) as Record<string, number | string>[];
    const inputs = Object.fromEntries(
      ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'].map((c) => [c, rows.map((r) => r[c])]),
    );
    const probs = (await gql(t.http, PREDICT, { i: { model: 'iris-here', version: '1', inputs } }, key)).body.data
      .predict.outputs.probabilities as number[][];
    const labels = e.labels as string[];
    const confusion = labels.map(() => labels.map(() => 0));
    rows.forEach((r, i) => confusion[labels.indexOf(String(r.species))][probs[i].indexOf(Math.max(...probs[i]))]++);
    expect(e.confusionMatrix).toEqual(confusion);
    expect(e.accuracy).toBeCloseTo(confusion.reduce((n, row, k) => n + row[k], 0) / rows.length, 10);
    const recall0 = confusion[0][0] / confusion[0].reduce((a, b) => a + b, 0);
    expect(e.perClass[0]).toMatchObject({ label: 'setosa', support: 10 });
    expect(e.perClass[0].recall).toBeCloseTo(recall0, 10);
    expect(e.accuracy).toBeGreaterThan(0.85);
    held.iris = { rows: e.rows, accuracy: e.accuracy, macroF1: e.macroF1 };
    const read = await gql(t.http, `query($id: ID!) { evaluation(id: $id) { id accuracy } }`, { id: e.id }, key);
    expect(read.body.data.evaluation).toEqual({ id: e.id, accuracy: e.accuracy });
    const kept = await gql(
      t.http,
      `{ model(name: "iris-here") { versions { version evaluations { id } trainingJob { id status } } } }`,
      {},
      key,
    );
    expect(kept.body.data.model.versions[0].evaluations).toEqual([{ id: e.id }]);
    expect(kept.body.data.model.versions[0].trainingJob.status).toBe('SUCCEEDED');
    // Another tenant: neither the evaluation, nor the dataset, nor the model.
    expect(
      (await gql(t.http, `query($id: ID!) { evaluation(id: $id) { id } }`, { id: e.id }, other)).body.errors[0]
        .extensions.code,
    ).toBe('NOT_FOUND');
    expect(
      (await evaluate({ model: 'iris-here', dataset: testSet.id, target: 'species' }, other)).body.errors[0].extensions
        .code,
    ).toBe('NOT_FOUND');
    const bad = await evaluate({ model: 'iris-here', dataset: testSet.id, target: 'colour' });
    expect(bad.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UNKNOWN_COLUMN' });
  });

  it('the built-in iris (an uploaded-style [-1, 4] input with declared labels) evaluates too', async () => {
    const iris = irisCsv();
    const testSet = await createDataset(t, key, 'iris-test-2', 'CSV', iris.test);
    const res = await evaluate({ model: 'iris', dataset: testSet.id, target: 'species' });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.evaluateModelVersion.accuracy).toBeGreaterThan(0.85);
  });

  it('Boston house prices: regression with MAE, RMSE and R² on held-out rows', async () => {
    const boston = bostonCsv();
    const trainSet = await createDataset(t, key, 'boston-train', 'CSV', boston.train);
    expect(trainSet.columns.every((c) => c.type === 'NUMBER')).toBe(true);
    const testSet = await createDataset(t, key, 'boston-test', 'CSV', boston.test);
    const job = await train(t, key, {
      model: 'boston',
      dataset: trainSet.id,
      target: 'medv',
      epochs: 150,
      batchSize: 32,
      learningRate: 0.01,
      hiddenUnits: [32],
      earlyStoppingPatience: 20,
      seed: 1,
    });
    expect(job.task).toBe('REGRESSION');
    expect(job.modelVersion.outputs).toEqual([{ name: 'value', datatype: 'FP32', shape: [-1, 1], labels: null }]);
    const e = (await evaluate({ model: 'boston', dataset: testSet.id, target: 'medv' })).body.data.evaluateModelVersion;
    expect(e.rows).toBe(boston.testRows);
    expect(e.r2).toBeGreaterThan(0.6);
    expect(e.rmse).toBeGreaterThanOrEqual(e.mae);
    held.boston = { rows: e.rows, mae: e.mae, rmse: e.rmse, r2: e.r2 };
  });

  it('SpamAssassin: free text learned as a bag of words, served from raw strings (BYTES)', async () => {
    const spam = spamJsonl(240);
    const trainSet = await createDataset(t, key, 'spam-train', 'JSONL', spam.train);
    expect(trainSet.columns.map((c) => [c.name, c.type])).toEqual([
      ['subject', 'STRING'],
      ['body', 'STRING'],
      ['label', 'STRING'],
    ]);
    const testSet = await createDataset(t, key, 'spam-test', 'JSONL', spam.test);
    const job = await train(t, key, {
      model: 'spam',
      dataset: trainSet.id,
      target: 'label',
      epochs: 15,
      hiddenUnits: [32],
      dropout: 0.2,
      seed: 5,
    });
    expect(job.modelVersion.inputs).toEqual([
      { name: 'subject', datatype: 'BYTES', shape: [-1] },
      { name: 'body', datatype: 'BYTES', shape: [-1] },
    ]);
    const e = (await evaluate({ model: 'spam', dataset: testSet.id, target: 'label' })).body.data.evaluateModelVersion;
    expect(e.accuracy).toBeGreaterThan(0.85);
    held.spamassassin = { rows: e.rows, accuracy: e.accuracy, macroF1: e.macroF1 };
    const res = await gql(
      t.http,
      PREDICT,
      {
        i: {
          model: 'spam',
          inputs: {
            subject: ['Re: patch for the build', null],
            body: ['see the diff attached, it fixes the test', 'CLICK HERE to claim your FREE prize money now!!!'],
          },
        },
      },
      key,
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.predict.outputs.probabilities).toHaveLength(2);
  });

  it("MNIST digits: the brief's 784-128-10 MLP (dropout 0.2, Adam), then uint8 and float16 copies", async () => {
    const digits = digitsCsv(100);
    const trainSet = await createDataset(t, key, 'digits-train', 'CSV', digits.train);
    expect(trainSet.columns).toHaveLength(785);
    const testSet = await createDataset(t, key, 'digits-test', 'CSV', digits.test);
    const job = await train(t, key, {
      model: 'digits',
      dataset: trainSet.id,
      target: 'digit',
      task: 'CLASSIFICATION',
      epochs: 5,
      batchSize: 32,
      learningRate: 0.001,
      hiddenUnits: [128],
      dropout: 0.2,
      seed: 9,
    });
    expect(job.modelVersion.labels).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const base = (await evaluate({ model: 'digits', version: '1', dataset: testSet.id, target: 'digit' })).body.data
      .evaluateModelVersion;
    expect(base.accuracy).toBeGreaterThan(0.75);
    held.mnist = { rows: base.rows, accuracy: base.accuracy, macroF1: base.macroF1 };
    for (const q of ['UINT8', 'FLOAT16']) {
      const res = await gql(
        t.http,
        OPTIMIZE,
        { i: { model: 'digits', version: '1', quantization: q, dataset: testSet.id, target: 'digit' } },
        key,
      );
      expect(res.body.errors).toBeUndefined();
      const v = res.body.data.optimizeModelVersion;
      expect(v).toMatchObject({ quantization: q.toLowerCase(), parentVersion: 1, labels: job.modelVersion.labels });
      expect(v.metrics.sizeRatio).toBeLessThan(q === 'UINT8' ? 0.3 : 0.55);
      expect(Math.abs(v.metrics.evaluation.change)).toBeLessThan(0.03);
      held[`mnist-${q.toLowerCase()}`] = {
        sizeRatio: v.metrics.sizeRatio,
        accuracy: v.metrics.evaluation.quantized,
        change: v.metrics.evaluation.change,
      };
      // The copy serves like any version.
      const served = await gql(
        t.http,
        PREDICT,
        {
          i: {
            model: 'digits',
            version: String(v.version),
            inputs: Object.fromEntries(Array.from({ length: 784 }, (_, i) => [`p${i}`, [0]])),
          },
        },
        key,
      );
      expect(served.body.errors).toBeUndefined();
    }
    const again = await gql(t.http, OPTIMIZE, { i: { model: 'digits', version: '2', quantization: 'UINT8' } }, key);
    expect(again.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'NOT_QUANTIZABLE' });
    const foreign = await gql(t.http, OPTIMIZE, { i: { model: 'digits', quantization: 'UINT8' } }, other);
    expect(foreign.body.errors[0].extensions.code).toBe('NOT_FOUND');
  }, 240_000);
});
