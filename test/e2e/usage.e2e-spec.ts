import request from 'supertest';
import { PrismaService } from '@app/db';
import { MeteringService } from '@app/metering';
import { needsPostgres } from '../support/database';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';

const d = needsPostgres('usage e2e') ? describe : describe.skip;

d('usage: ledger, aggregates, CSV and rate limits', () => {
  let t: TestApp;
  let metering: MeteringService;
  let prisma: PrismaService;
  beforeAll(async () => {
    t = await startTestApp();
    metering = t.app.get(MeteringService);
    prisma = t.app.get(PrismaService);
  });
  afterAll(() => t.close());

  const record = (tenantId: string, key: string, apiKeyId: string | null, units: number, at: Date) =>
    prisma.$transaction((tx) =>
      metering.record(tx, {
        tenantId,
        apiKeyId,
        userId: null,
        modelId: 'mdl_iris',
        modelVersionId: 'mv_1',
        requestId: key,
        idempotencyKey: key,
        units,
        instances: units,
        computeMs: 2.5,
        batchSize: 4,
        occurredAt: at,
      }),
    );

  it('records once per idempotency key; groups by day, model and key; another tenant sees nothing', async () => {
    const a = await signUp(t.http, 'Usage A');
    const b = await signUp(t.http, 'Usage B');
    const key = await createKey(t.http, a, ['usage:read']);
    const day1 = new Date('2026-11-02T10:15:00Z');
    const day2 = new Date('2026-11-03T08:00:00Z');
    expect((await record(a.tenantId, 'r1', key.id, 3, day1)).created).toBe(true);
    expect((await record(a.tenantId, 'r1', key.id, 3, day1)).created).toBe(false);
    await record(a.tenantId, 'r2', null, 4, day2);
    const q = `query($f: DateTime!, $t: DateTime!, $g: [UsageGroup!]) { usage(from: $f, to: $t, groupBy: $g) { day apiKeyId requests units computeMs } }`;
    const vars = { f: '2026-11-01T00:00:00Z', t: '2026-12-01T00:00:00Z', g: ['DAY', 'API_KEY'] };
    const res = await gql(t.http, q, vars, { key: key.secret });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.usage).toEqual([
      { day: '2026-11-02T00:00:00.000Z', apiKeyId: key.id, requests: 1, units: 3, computeMs: 2.5 },
      { day: '2026-11-03T00:00:00.000Z', apiKeyId: null, requests: 1, units: 4, computeMs: 2.5 },
    ]);
    const other = await gql(t.http, q, vars, { session: b });
    expect(other.body.data.usage).toEqual([]);

    const csv = await request(t.http)
      .get('/usage.csv')
      .query({ from: vars.f, to: vars.t })
      .set('authorization', `Bearer ${key.secret}`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.trim().split('\n')).toEqual([
      'hour,model_id,model,api_key_id,requests,units,compute_ms',
      `2026-11-02T10:00:00.000Z,mdl_iris,,${key.id},1,3,2.5`,
      '2026-11-03T08:00:00.000Z,mdl_iris,,,1,4,2.5',
    ]);
    const csvOther = await request(t.http)
      .get('/usage.csv')
      .query({ from: vars.f, to: vars.t })
      .set('authorization', `Bearer ${(await createKey(t.http, b, ['usage:read'])).secret}`);
    expect(csvOther.text.trim().split('\n')).toHaveLength(1);
  });

  it('rate limits per key: headers on REST, extensions.rateLimit on GraphQL, then RATE_LIMITED with retryAfter', async () => {
    const s = await signUp(t.http, 'Limited');
    const key = await createKey(t.http, s, ['usage:read']);
    const rest = await request(t.http)
      .get('/usage.csv')
      .query({ from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00Z' })
      .set('authorization', `Bearer ${key.secret}`);
    expect(rest.headers).toMatchObject({ 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '59' });
    expect(Number(rest.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
    let last = await gql(t.http, `{ quota { plan } }`, {}, { key: key.secret });
    expect(last.body.extensions.rateLimit).toMatchObject({ limit: 60, remaining: 58 });
    for (let i = 0; i < 58; i++) last = await gql(t.http, `{ quota { plan } }`, {}, { key: key.secret });
    expect(last.body.errors).toBeUndefined();
    const refused = await gql(t.http, `{ quota { plan } }`, {}, { key: key.secret });
    expect(refused.body.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', reason: 'KEY_RATE_LIMITED' });
    expect(refused.body.errors[0].extensions.retryAfter).toBeGreaterThan(0);
    expect(refused.body.extensions.rateLimit).toMatchObject({ limit: 60, remaining: 0 });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // The tenant's other principals are not blocked by one key's window.
    const session = await gql(t.http, `{ quota { plan } }`, {}, { session: s });
    expect(session.body.errors).toBeUndefined();
  });
});
