import request from 'supertest';
import { needsPostgres } from '../support/database';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';

const d = needsPostgres('graphql hardening e2e') ? describe : describe.skip;

d('GraphQL hardening and operations endpoints', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT_BYTES: '65536', GRAPHQL_MAX_DEPTH: '3', GRAPHQL_MAX_ALIASES: '5' });
  });
  afterAll(async () => t.close());

  it('malformed GraphQL is BAD_USER_INPUT with HTTP 400', async () => {
    const res = await request(t.http).post('/graphql').send({ query: '{ tenant { id ' });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'GRAPHQL_VALIDATION_FAILED',
    });
    expect(res.body.errors[0].message).toMatch(/Syntax Error/);
  });

  it('unknown fields and wrong variable types are BAD_USER_INPUT', async () => {
    const unknown = await request(t.http).post('/graphql').send({ query: '{ nope }' });
    expect(unknown.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const wrongType = await gql(t.http, `query($f: Int) { apiKeys(first: $f) { totalCount } }`, { f: 'ten' });
    expect(wrongType.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('too deep a query is refused before it runs', async () => {
    expect(
      (await request(t.http).post('/graphql').send({ query: `{ me { memberships { role } } }` })).body.errors,
    ).toBeUndefined();
    const res = await request(t.http).post('/graphql').send({ query: `{ me { memberships { tenant { id } } } }` });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(res.body.errors)).toMatch(/depth/i);
  });

  it('too many aliases (a wide query) are refused', async () => {
    const wide = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
    const res = await request(t.http).post('/graphql').send({ query: wide });
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.errors)).toMatch(/alias/i);
  });

  it('an oversized body is refused with 413 and a contract code', async () => {
    const res = await request(t.http)
      .post('/graphql')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ query: `{ me { id } }`, variables: { pad: 'x'.repeat(70_000) } }));
    expect(res.status).toBe(413);
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'PAYLOAD_TOO_LARGE' });
  });

  it('errors carry no stack traces and a request id; x-request-id is echoed', async () => {
    const res = await request(t.http)
      .post('/graphql')
      .set('x-request-id', 'trace-abc-12345')
      .send({ query: '{ tenant { id } }' });
    expect(res.headers['x-request-id']).toBe('trace-abc-12345');
    expect(res.body.errors[0].extensions.requestId).toBe('trace-abc-12345');
    expect(JSON.stringify(res.body)).not.toMatch(/at .*\.(ts|js):\d+/);
    expect(res.body.errors[0].extensions.stacktrace).toBeUndefined();
  });

  it('/healthz, /readyz (database, cache) and /metrics (by operation)', async () => {
    expect((await request(t.http).get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await request(t.http).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks.database).toMatchObject({ ok: true, mode: 'postgres' });
    expect(ready.body.checks.cache).toMatchObject({ ok: true });
    const s = await signUp(t.http);
    const k = await createKey(t.http, s);
    await request(t.http)
      .post('/graphql')
      .set('authorization', `Bearer ${k.secret}`)
      .send({ query: 'query CurrentTenant { tenant { id } }' });
    const metrics = await request(t.http).get('/metrics');
    expect(metrics.headers['content-type']).toMatch(/text\/plain/);
    // Labelled by the root field the schema names, not by the caller's operationName (issue 11).
    expect(metrics.text).toMatch(/graphql_operations_total\{operation="tenant",type="query",outcome="ok"\} [1-9]/);
    expect(metrics.text).not.toContain('CurrentTenant');
    expect(metrics.text).toMatch(/http_request_duration_seconds_bucket\{[^}]*route="\/graphql"/);
    expect(metrics.text).not.toContain(k.secret);
  });
});

d('production mode: no introspection, no GraphiQL', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ NODE_ENV: 'production' });
  });
  afterAll(async () => t.close());

  it('refuses introspection', async () => {
    const res = await request(t.http).post('/graphql').send({ query: '{ __schema { types { name } } }' });
    expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors[0].message).toMatch(/introspection/i);
    expect((await request(t.http).get('/graphiql')).status).toBe(404);
  });
});

d('REST errors use the same codes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('transport errors on REST routes (oversized body, malformed JSON) keep the contract shape', async () => {
    const big = await request(t.http)
      .post('/v2/models/iris/infer')
      .set('content-type', 'application/json')
      .send(JSON.stringify({ pad: 'x'.repeat(1_100_000) }));
    expect(big.status).toBe(413);
    expect(big.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'PAYLOAD_TOO_LARGE' });
    const bad = await request(t.http)
      .post('/v2/models/iris/infer')
      .set('content-type', 'application/json')
      .send('{not json');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('an unknown route is 404 with NOT_FOUND; a bad key on REST is 401 with UNAUTHENTICATED', async () => {
    // Unknown paths under the API prefixes are JSON 404s (other paths belong to the portal's router).
    const missing = await request(t.http).get('/v2/no/such/route');
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0].extensions.code).toBe('NOT_FOUND');
    const bad = await request(t.http).get('/readyz').set('authorization', 'Bearer mk_live_nope');
    // Health endpoints are public, but bad credentials are still refused rather than ignored.
    expect(bad.status).toBe(401);
    expect(bad.body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'API_KEY_INVALID' });
  });
});
