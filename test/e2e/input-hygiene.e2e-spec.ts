import type { FastifyInstance } from 'fastify';
import request from 'supertest';
import { needsPostgres } from '../support/database';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';

const d = needsPostgres('input hygiene e2e') ? describe : describe.skip;

interface Field {
  name: string;
  args: { name: string }[];
}
const FIELDS = `{ __schema { queryType { fields { name args { name } } } mutationType { fields { name args { name } } } } }`;

/** Every route the server has, as [method, path] pairs, from Fastify's own route tree. */
function routesOf(fastify: FastifyInstance): [string, string][] {
  const out: [string, string][] = [];
  for (const line of fastify.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /(\/\S*) \(([A-Z, ]+)\)/.exec(line);
    if (!m) continue;
    for (const method of m[2]!.split(',').map((x) => x.trim()))
      if (method !== 'HEAD' && method !== 'OPTIONS') out.push([method, m[1]!]);
  }
  return out;
}

d('input hygiene: NUL bytes, malformed dates, unknown parameters, the platform’s own reasons', () => {
  let t: TestApp;
  let key: string;
  beforeAll(async () => {
    t = await startTestApp();
    const s = await signUp(t.http, 'Hygiene Co');
    key = (await createKey(t.http, s, ['admin'])).secret;
  });
  afterAll(async () => {
    await t.close();
  });

  it('every GraphQL operation that takes an argument refuses NUL in it, as a literal and as a variable', async () => {
    const schema = (await gql(t.http, FIELDS, {}, { key })).body.data.__schema;
    const ops: [string, Field][] = [
      ...schema.queryType.fields.map((f: Field) => ['query', f]),
      ...schema.mutationType.fields.map((f: Field) => ['mutation', f]),
    ];
    const withArgs = ops.filter(([, f]) => f.args.length);
    expect(withArgs.length).toBeGreaterThan(30);
    const failures: string[] = [];
    for (const [kind, f] of withArgs) {
      const literal = await gql(
        t.http,
        `${kind} { ${f.name}(${f.args[0]!.name}: "a\\u0000b") { __typename } }`,
        {},
        { key },
      );
      const viaVariable = await gql(
        t.http,
        `${kind}($v: String) { ${f.name}(${f.args[0]!.name}: $v) { __typename } }`,
        { v: 'a\u0000b' },
        { key },
      );
      for (const [how, res] of [
        ['literal', literal],
        ['variable', viaVariable],
      ] as const) {
        const reasons = (res.body.errors ?? []).map((e: { extensions?: { reason?: string } }) => e.extensions?.reason);
        if (res.status !== 400 || !reasons.includes('NUL_CHARACTER') || res.body.data)
          failures.push(`${f.name} (${how}): ${res.status} ${reasons.join(',')}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('every REST route refuses NUL in its path, query string and JSON body before anything runs', async () => {
    const routes = routesOf(t.app.getHttpAdapter().getInstance() as unknown as FastifyInstance);
    expect(routes.length).toBeGreaterThan(10);
    const failures: string[] = [];
    for (const [method, path] of routes) {
      const concrete = path.replace(/:[A-Za-z]+/g, 'x').replace(/\*/g, 'x');
      const nulPath = path.includes(':')
        ? path
            .replace(/:[A-Za-z]+/, 'a%00b')
            .replace(/:[A-Za-z]+/g, 'x')
            .replace(/\*/g, 'x')
        : `${concrete}?q=a%00b`;
      const tries = [request(t.http)[method.toLowerCase() as 'get'](nulPath).set('authorization', `Bearer ${key}`)];
      if (method !== 'GET' && method !== 'DELETE') {
        const client = request(t.http);
        tries.push(
          client[method.toLowerCase() as 'post'](concrete)
            .set('authorization', `Bearer ${key}`)
            .set('content-type', 'application/json')
            .send('{"s":"a\\u0000b"}'),
        );
      }
      for (const res of await Promise.all(tries)) {
        if (res.status !== 400 || res.body?.errors?.[0]?.extensions?.reason !== 'NUL_CHARACTER')
          failures.push(`${method} ${path}: ${res.status} ${res.text.slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('GET /usage.csv: missing or malformed dates and unknown parameters are 400 with a clear reason', async () => {
    const get = (qs: string) => request(t.http).get(`/usage.csv${qs}`).set('authorization', `Bearer ${key}`);
    for (const [qs, reason] of [
      ['', 'INVALID_DATE'],
      ['?from=2026-01-01T00:00:00Z', 'INVALID_DATE'],
      ['?from=yesterday&to=2026-01-02T00:00:00Z', 'INVALID_DATE'],
      ['?from=2026-13-45T00:00:00Z&to=2026-01-02T00:00:00Z', 'INVALID_DATE'],
      ['?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&format=xml', 'UNKNOWN_PARAMETER'],
    ]) {
      const res = await get(qs!);
      expect([qs, res.status, res.body.errors?.[0]?.extensions]).toEqual([
        qs,
        400,
        expect.objectContaining({ code: 'BAD_USER_INPUT', reason }),
      ]);
    }
    const ok = await get('?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z');
    expect(ok.status).toBe(200);
    expect(ok.text.split('\n')[0]).toBe('hour,model_id,model,api_key_id,requests,units,compute_ms');
  });

  it('framework failures carry the platform’s reasons, never FST_ or MER_ codes', async () => {
    const bad = await request(t.http).post('/graphql').set('content-type', 'application/json').send('{"query": ');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'MALFORMED_JSON' });
    const rest = await request(t.http)
      .post('/v2/models/iris/infer')
      .set('authorization', `Bearer ${key}`)
      .set('content-type', 'application/json')
      .send('{nope');
    expect(rest.body.errors[0].extensions.reason).toBe('MALFORMED_JSON');
    const empty = await request(t.http).post('/graphql').set('content-type', 'application/json').send('');
    expect(JSON.stringify(empty.body)).not.toMatch(/FST_|MER_/);
  });

  it('a duplicate model is CONFLICT MODEL_EXISTS; a catalog name is reserved', async () => {
    const CREATE = `mutation($i: CreateModelInput!) { createModel(input: $i) { name } }`;
    expect(
      (await gql(t.http, CREATE, { i: { name: 'churn', task: 'tabular-classification' } }, { key })).body.data
        .createModel.name,
    ).toBe('churn');
    const dup = await gql(t.http, CREATE, { i: { name: 'churn', task: 'tabular-classification' } }, { key });
    expect(dup.body.errors[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'MODEL_EXISTS' });
    const iris = await gql(t.http, CREATE, { i: { name: 'iris', task: 'tabular-classification' } }, { key });
    expect(iris.body.errors[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'MODEL_NAME_RESERVED' });
    const { rows } = await t.sql.query(`select count(*) from models where name = 'iris' and "tenantId" is not null`);
    expect(Number(rows[0].count)).toBe(0);
  });
});
