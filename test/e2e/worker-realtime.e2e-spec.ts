import { Client } from 'pg';
import request from 'supertest';
import { createTestDatabase, needsPostgres, TestDatabase } from '../support/database';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';
import { WorkerProcess, startWorkerProcess, stopWorkers } from '../support/worker-process';

const d = needsPostgres('worker real-time e2e') ? describe : describe.skip;

const PREDICT = `mutation($i: PredictInput!) { predict(input: $i) { outputs labels usage { units } } }`;
const SETOSA = [5.1, 3.5, 1.4, 0.2];
const VIRGINICA = [6.7, 3.0, 5.2, 2.3];
const SECRET = 'worker-secret-for-e2e-0123456789';
const WRONG = 'not-the-worker-secret-9876543210';

d('real-time predictions on a worker (WORKER_URL): effects stay in the api', () => {
  let db: TestDatabase;
  let worker: WorkerProcess;
  let pg: Client;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    worker = await startWorkerProcess({ DATABASE_URL: db.url, DATABASE_POOL_SIZE: '3', WORKER_SHARED_SECRET: SECRET });
    await worker.ready(60_000);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  }, 120_000);
  afterAll(async () => {
    // Reverse order: each close() restores the process.env it found.
    for (const a of apps.reverse()) await a.close();
    await pg?.end();
    await stopWorkers(worker ? [worker] : []);
    await db?.drop();
  }, 30_000);

  const api = async (secret: string) => {
    const t = await startTestApp({ WORKER_URL: worker.url, WORKER_SHARED_SECRET: secret }, db);
    apps.push(t);
    const s = await signUp(t.http, 'Remote');
    return { t, tenantId: s.tenantId, key: (await createKey(t.http, s, ['inference:run'])).secret };
  };
  const count = async (sql: string, tenantId: string) => Number((await pg.query(sql, [tenantId])).rows[0].count);

  it('the worker answers /healthz and /readyz, and refuses predict without the right secret', async () => {
    expect((await fetch(`${worker.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${worker.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { ok: boolean }).ok).toBe(true);
    for (const headers of [{}, { 'x-worker-secret': WRONG }] as Record<string, string>[]) {
      const res = await fetch(`${worker.url}/internal/v1/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: '{}',
      });
      expect(res.status).toBe(401);
    }
  });

  it('the worker runs a model by its artifact URI only: a folder path, or a URI outside its own stores, is refused', async () => {
    const post = (body: unknown) =>
      fetch(`${worker.url}/internal/v1/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-worker-secret': SECRET },
        body: JSON.stringify(body),
      });
    const iris = (
      await pg.query(
        `select id, "artifactUri" from model_versions where "tenantId" is null and "artifactUri" like 'catalog://iris/%'`,
      )
    ).rows[0] as { id: string; artifactUri: string };
    // The catalog row names the model, not any process's folder.
    expect(iris.artifactUri).toBe('catalog://iris/1');
    const model = {
      id: iris.id,
      format: 'layers',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }],
    };
    const inputs = { features: [SETOSA] };
    const ok = await post({ model: { ...model, artifactUri: iris.artifactUri }, inputs });
    expect(ok.status).toBe(200);
    const withPath = await post({ model: { ...model, artifactUri: iris.artifactUri, artifactDir: '/etc' }, inputs });
    expect(withPath.status).toBe(400);
    expect(((await withPath.json()) as any).error.reason).toBe('ARTIFACT_PATH_REFUSED');
    for (const artifactUri of ['file:///etc/', '/tmp/models/x', 'catalog://../../etc/1', 's3://bucket/models/x/']) {
      const res = await post({ model: { ...model, id: `mv_refused_${artifactUri.length}`, artifactUri }, inputs });
      expect(res.status).toBe(400);
      expect(((await res.json()) as any).error.reason).toBe('ARTIFACT_URI_REFUSED');
    }
  });

  it('predict on iris runs on the worker; usage and audit are written by the api', async () => {
    const { t, tenantId, key } = await api(SECRET);
    const res = await gql(
      t.http,
      PREDICT,
      { i: { model: 'iris', inputs: { features: [SETOSA, VIRGINICA] } } },
      { key },
    );
    expect(res.body.errors).toBeUndefined();
    const p = res.body.data.predict;
    expect(p.usage).toEqual({ units: 2 });
    // The api's /readyz names the worker it depends on.
    const ready = await request(t.http).get('/readyz');
    expect(ready.body.checks.worker).toMatchObject({ ok: true, url: worker.url });
    expect(p.labels[0][0].label).toBe('setosa');
    expect(p.labels[1][0].label).toBe('virginica');
    expect(p.outputs.probabilities).toHaveLength(2);
    expect(await count(`select count(*) from usage_records where "tenantId" = $1`, tenantId)).toBe(1);
    expect(
      await count(`select count(*) from audit_events where "tenantId" = $1 and action = 'inference.predict'`, tenantId),
    ).toBe(1);
  }, 60_000);

  it('a wrong WORKER_SHARED_SECRET: the worker refuses, the api answers INTERNAL, nothing leaks or is billed', async () => {
    const { t, tenantId, key } = await api(WRONG);
    const res = await gql(t.http, PREDICT, { i: { model: 'iris', inputs: { features: [SETOSA] } } }, { key });
    expect(res.body.data?.predict ?? null).toBeNull();
    expect(res.body.errors[0].extensions.code).toBe('INTERNAL');
    const text = JSON.stringify(res.body);
    expect(text).not.toContain(WRONG);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(worker.url);
    expect(await count(`select count(*) from usage_records where "tenantId" = $1`, tenantId)).toBe(0);
  }, 60_000);

  it('an api whose worker is unreachable is not ready, and says which dependency is down', async () => {
    const t = await startTestApp({ WORKER_URL: 'http://127.0.0.1:9', WORKER_SHARED_SECRET: SECRET }, db);
    apps.push(t);
    const ready = await request(t.http).get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.worker.ok).toBe(false);
    expect(JSON.stringify(ready.body)).not.toContain(SECRET);
  });
});
