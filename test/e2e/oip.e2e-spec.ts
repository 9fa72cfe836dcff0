import request from 'supertest';
import { needsPostgres } from '../support/database';
import { TestApp, createKey, signUp, startTestApp } from '../support/test-app';

const d = needsPostgres('oip e2e') ? describe : describe.skip;

const SETOSA = [5.1, 3.5, 1.4, 0.2];
const VIRGINICA = [6.7, 3.0, 5.2, 2.3];

d('REST inference: Open Inference Protocol v2 and TF Serving', () => {
  let t: TestApp;
  let key: string;
  let tenantId: string;
  beforeAll(async () => {
    t = await startTestApp();
    const s = await signUp(t.http, 'Rest');
    tenantId = s.tenantId;
    key = (await createKey(t.http, s, ['inference:run', 'models:read'])).secret;
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  const auth = (r: request.Test) => r.set('authorization', `Bearer ${key}`);
  const usage = async () =>
    Number(
      (await t.sql.query(`select coalesce(sum(units), 0) as n from usage_records where "tenantId" = $1`, [tenantId]))
        .rows[0].n,
    );

  it('health is public; model metadata and readiness need a key', async () => {
    expect((await request(t.http).get('/v2/health/live')).body).toEqual({ live: true });
    expect((await request(t.http).get('/v2/health/ready')).status).toBe(200);
    expect((await request(t.http).get('/v2/models/iris')).status).toBe(401);
    const meta = await auth(request(t.http).get('/v2/models/iris'));
    expect(meta.body).toEqual({
      name: 'iris',
      versions: ['1'],
      platform: 'tensorflowjs',
      inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }],
    });
    expect((await auth(request(t.http).get('/v2/models/iris/versions/1/ready'))).status).toBe(200);
    expect((await auth(request(t.http).get('/v2/models/iris/ready'))).status).toBe(200);
  });

  it('infers as KServe/Triton clients expect (flat row-major data, shape with the batch) and bills it', async () => {
    const before = await usage();
    const res = await auth(request(t.http).post('/v2/models/iris/versions/1/infer')).send({
      id: 'req-42',
      inputs: [{ name: 'features', shape: [2, 4], datatype: 'FP32', data: [...SETOSA, ...VIRGINICA] }],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ model_name: 'iris', model_version: '1', id: 'req-42' });
    const [out] = res.body.outputs;
    expect(out).toMatchObject({ name: 'probabilities', datatype: 'FP32', shape: [2, 3] });
    expect(out.data).toHaveLength(6);
    expect(out.data[0]).toBeGreaterThan(0.5); // setosa
    expect(out.data[5]).toBeGreaterThan(0.5); // virginica
    expect(res.headers['x-ratelimit-limit'] ?? res.headers['ratelimit-limit']).toBeDefined();
    expect(await usage()).toBe(before + 2);
  });

  it('answers errors as { error } with the HTTP status clients expect, and bills nothing', async () => {
    const before = await usage();
    const infer = (path: string, body: unknown) => auth(request(t.http).post(path)).send(body as object);
    const cases: [string, unknown, number][] = [
      ['/v2/models/nope/infer', { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: SETOSA }] }, 404],
      [
        '/v2/models/iris/versions/9/infer',
        { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: SETOSA }] },
        404,
      ],
      [
        '/v2/models/iris/infer',
        { inputs: [{ name: 'features', shape: [1, 4], datatype: 'INT32', data: [1, 2, 3, 4] }] },
        400,
      ],
      [
        '/v2/models/iris/infer',
        { inputs: [{ name: 'features', shape: [1, 5], datatype: 'FP32', data: [1, 2, 3, 4, 5] }] },
        400,
      ],
      ['/v2/models/iris/infer', { inputs: [{ name: 'features', shape: [2, 4], datatype: 'FP32', data: SETOSA }] }, 400],
      [
        '/v2/models/iris/infer',
        { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: ['NaN', 1, 2, 3] }] },
        400,
      ],
      ['/v2/models/iris/infer', { nothing: true }, 400],
    ];
    for (const [path, body, status] of cases) {
      const res = await infer(path, body);
      expect(res.status).toBe(status);
      expect(typeof res.body.error).toBe('string');
    }
    const noKey = await request(t.http).post('/v2/models/iris/infer').send({ inputs: [] });
    expect(noKey.status).toBe(401);
    expect(typeof noKey.body.error).toBe('string');
    expect(await usage()).toBe(before);
  });

  it('TF Serving: row and columnar formats, version paths, status, errors', async () => {
    const rows = await auth(request(t.http).post('/v1/models/iris:predict')).send({ instances: [SETOSA, VIRGINICA] });
    expect(rows.status).toBe(200);
    expect(rows.body.predictions).toHaveLength(2);
    expect(rows.body.predictions[0]).toHaveLength(3);
    const cols = await auth(request(t.http).post('/v1/models/iris/versions/1:predict')).send({
      inputs: { features: [SETOSA] },
    });
    expect(cols.status).toBe(200);
    expect(cols.body.outputs).toHaveLength(1);
    const status = await auth(request(t.http).get('/v1/models/iris'));
    expect(status.body).toEqual({
      model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }],
    });
    expect((await auth(request(t.http).post('/v1/models/iris:classify')).send({ instances: [SETOSA] })).status).toBe(
      400,
    );
    expect((await auth(request(t.http).post('/v1/models/nope:predict')).send({ instances: [SETOSA] })).status).toBe(
      404,
    );
    const bad = await auth(request(t.http).post('/v1/models/iris:predict')).send({ instances: [[1, 2]] });
    expect(bad.status).toBe(400);
    expect(typeof bad.body.error).toBe('string');
  });

  it('TF Serving accepts images as { b64 } and a non-image is a 400', async () => {
    const res = await auth(request(t.http).post('/v1/models/nsfw-mobilenet-v2:predict')).send({
      instances: [{ b64: Buffer.from('garbage').toString('base64') }],
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions.reason).toBe('NOT_IMAGE');
  });
});
