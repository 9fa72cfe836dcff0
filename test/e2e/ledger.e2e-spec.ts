import request from 'supertest';
import { QuotaLeases } from '@app/quotas';
import { needsPostgres } from '../support/database';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';

const d = needsPostgres('ledger e2e') ? describe : describe.skip;

const SETOSA = [5.1, 3.5, 1.4, 0.2];
const PREDICT = `mutation($i: PredictInput!) { predict(input: $i) { usage { units } } }`;
const VERIFY = `{ verifyAuditChain { ok checked firstBadSeq } }`;
const rows = (n: number) => Array.from({ length: n }, () => SETOSA);

/**
 * The ledger: whatever a client sends, every answered prediction has exactly one usage record
 * and one audit event and counts against quota and rate limits; Idempotency-Key replays without
 * billing; failures bill nothing; concurrent predictions commit in batches with a gap-free chain.
 */
d('the inference ledger', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ DATABASE_POOL_SIZE: '10' });
    // Limits that never refuse what these tests send, and overage (so every record has an outbox row).
    await t.sql.query(
      `update plans set "requestsPerMinutePerKey" = 100000, "requestsPerMinutePerTenant" = 100000, "maxConcurrentRequests" = 1000 where id = 'pro'`,
    );
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  const one = async (sql: string, params: unknown[]) => (await t.sql.query(sql, params)).rows[0];
  const billed = (tenantId: string) =>
    one(`select count(*)::int as n, coalesce(sum(units), 0)::int as units from usage_records where "tenantId" = $1`, [
      tenantId,
    ]);
  const audited = async (tenantId: string, status = 'succeeded') =>
    Number(
      (
        await one(
          `select count(*) from audit_events where "tenantId" = $1 and action = 'inference.predict' and metadata->>'status' = $2`,
          [tenantId, status],
        )
      ).count,
    );
  const counter = async (tenantId: string) => {
    await t.app.get(QuotaLeases).returnAll();
    return one(
      `select "unitsUsed"::int as used, "unitsReserved"::int as reserved from quota_counters where "tenantId" = $1`,
      [tenantId],
    );
  };
  async function tenant(name: string, plan = 'pro') {
    const s = await signUp(t.http, name);
    await t.sql.query(`update tenants set "planId" = $2 where id = $1`, [s.tenantId, plan]);
    const key = (await createKey(t.http, s, ['inference:run', 'models:read'])).secret;
    return { ...s, key };
  }
  const tfs = (key: string, body: unknown, headers: Record<string, string> = {}) => {
    const r = request(t.http).post('/v1/models/iris:predict').set('authorization', `Bearer ${key}`);
    for (const [k, v] of Object.entries(headers)) r.set(k, v);
    return r.send(body as object);
  };
  const oip = (key: string, body: unknown, headers: Record<string, string> = {}) => {
    const r = request(t.http).post('/v2/models/iris/infer').set('authorization', `Bearer ${key}`);
    for (const [k, v] of Object.entries(headers)) r.set(k, v);
    return r.send(body as object);
  };
  const oipBody = (n: number) => ({
    inputs: [{ name: 'features', shape: [n, 4], datatype: 'FP32', data: rows(n).flat() }],
  });

  it('bills and audits every answered prediction once, whatever x-request-id, aliases and retries the client sends, per tenant', async () => {
    const a = await tenant('Mix A');
    const b = await tenant('Mix B');
    const aliased = `mutation($i: PredictInput!) { p1: predict(input: $i) { usage { units } } p2: predict(input: $i) { usage { units } } p3: predict(input: $i) { usage { units } } }`;
    const answered = new Map<string, { predictions: number; units: number }>();
    const count = (tenantId: string, units: number) => {
      const c = answered.get(tenantId) ?? { predictions: 0, units: 0 };
      answered.set(tenantId, { predictions: c.predictions + 1, units: c.units + units });
    };
    for (const who of [a, b]) {
      // The same x-request-id on every call, for both tenants: it traces, it never deduplicates.
      const headers = { 'x-request-id': 'req-shared-0001' };
      for (let i = 0; i < 3; i++) {
        const g = await gql(
          t.http,
          aliased,
          { i: { model: 'iris', inputs: { features: rows(2) } } },
          { key: who.key, headers },
        );
        expect(g.body.errors).toBeUndefined();
        for (const f of ['p1', 'p2', 'p3']) count(who.tenantId, g.body.data[f].usage.units);
        const r = await tfs(who.key, { instances: rows(3) }, headers);
        expect(r.status).toBe(200);
        count(who.tenantId, 3);
        const o = await oip(who.key, oipBody(4), headers);
        expect(o.status).toBe(200);
        count(who.tenantId, 4);
      }
    }
    for (const who of [a, b]) {
      const expected = answered.get(who.tenantId)!;
      expect(expected.predictions).toBe(15);
      expect(await billed(who.tenantId)).toEqual({ n: expected.predictions, units: expected.units });
      expect(await audited(who.tenantId)).toBe(expected.predictions);
      expect((await counter(who.tenantId)).used).toBe(expected.units);
    }
  });

  it('Idempotency-Key: a retry replays the stored answer without billing; another body is IDEMPOTENCY_KEY_REUSED; tenants are apart', async () => {
    const a = await tenant('Idem A');
    const b = await tenant('Idem B');
    const key = { 'idempotency-key': 'order-7f3a-0001' };
    const first = await tfs(a.key, { instances: rows(2) }, key);
    expect(first.status).toBe(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await tfs(a.key, { instances: rows(2) }, key);
    expect(again.status).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    const other = await tfs(a.key, { instances: rows(3) }, key);
    expect(other.status).toBe(409);
    expect(other.body.errors[0].extensions).toMatchObject({ code: 'CONFLICT', reason: 'IDEMPOTENCY_KEY_REUSED' });
    // Five at once with a fresh key: one runs, the others wait for it and replay.
    const burst = await Promise.all(
      Array.from({ length: 5 }, () => tfs(a.key, { instances: rows(1) }, { 'idempotency-key': 'order-7f3a-0002' })),
    );
    expect(burst.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(burst.filter((r) => r.headers['idempotent-replayed'] === 'true')).toHaveLength(4);
    // GraphQL: the header binds each aliased prediction on its own; the retry replays both.
    const op = `mutation { x: predict(input: { model: "iris", inputs: { features: [[5.1, 3.5, 1.4, 0.2]] } }) { usage { units } } y: predict(input: { model: "iris", inputs: { features: [[6.7, 3.0, 5.2, 2.3]] } }) { usage { units } } }`;
    const g1 = await gql(t.http, op, {}, { key: a.key, headers: { 'idempotency-key': 'gql-op-0000001' } });
    const g2 = await gql(t.http, op, {}, { key: a.key, headers: { 'idempotency-key': 'gql-op-0000001' } });
    expect(g1.body.errors).toBeUndefined();
    expect(g2.body.data).toEqual(g1.body.data);
    expect(g2.headers['idempotent-replayed']).toBe('true');
    // Another tenant's use of the same key is its own call, billed to it.
    const theirs = await tfs(b.key, { instances: rows(3) }, key);
    expect(theirs.status).toBe(200);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(await billed(a.tenantId)).toEqual({ n: 4, units: 2 + 1 + 1 + 1 });
    expect(await audited(a.tenantId)).toBe(4);
    expect(await billed(b.tenantId)).toEqual({ n: 1, units: 3 });
    const bad = await tfs(a.key, { instances: rows(1) }, { 'idempotency-key': 'short' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].extensions.reason).toBe('INVALID_IDEMPOTENCY_KEY');
  });

  it('bills nothing for a request that fails: validated before quota, an unknown OIP output is a 400, the failure is audited', async () => {
    const a = await tenant('Failing');
    const unknownOutput = await oip(a.key, { ...oipBody(1), outputs: [{ name: 'nope' }] });
    expect(unknownOutput.status).toBe(400);
    const wrongShape = await tfs(a.key, { instances: [[1, 2, 3]] });
    expect(wrongShape.status).toBe(400);
    const deep = await gql(
      t.http,
      PREDICT,
      { i: { model: 'iris', inputs: { features: JSON.parse('['.repeat(3000) + ']'.repeat(3000)) } } },
      { key: a.key },
    );
    expect(deep.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(await billed(a.tenantId)).toEqual({ n: 0, units: 0 });
    // The unknown output is refused by the protocol layer before a prediction starts; the other two are failed predictions.
    expect(await audited(a.tenantId, 'failed')).toBe(2);
    // Validation comes before the quota: no lease was ever taken for this tenant.
    expect((await counter(a.tenantId)) ?? { used: 0, reserved: 0 }).toEqual({ used: 0, reserved: 0 });
  });

  it('100 concurrent predictions commit in batches: 100 usage and outbox rows, settled units, a gap-free verifiable chain', async () => {
    const a = await tenant('Concurrent');
    await t.sql.query(`update tenants set "budgetCents" = 5 where id = $1`, [a.tenantId]);
    await t.sql.query(`update plans set "monthlyIncludedUnits" = 0 where id = 'pro'`);
    const res = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        gql(t.http, PREDICT, { i: { model: 'iris', inputs: { features: rows((i % 3) + 1) } } }, { key: a.key }),
      ),
    );
    for (const r of res) expect(r.body.errors).toBeUndefined();
    expect(await billed(a.tenantId)).toEqual({ n: 100, units: 199 });
    expect(
      await one(`select count(*)::int as n, sum(value)::int as units from meter_event_outbox where "tenantId" = $1`, [
        a.tenantId,
      ]),
    ).toEqual({ n: 100, units: 199 });
    expect(await counter(a.tenantId)).toEqual({ used: 199, reserved: 0 });
    // 199 units x 200 micros of a 5-cent budget: the 50% threshold, once.
    expect((await t.sql.query(`select threshold from budget_alerts where "tenantId" = $1`, [a.tenantId])).rows).toEqual(
      [{ threshold: 50 }],
    );
    const seqs = await one(
      `select count(*)::int as n, min(seq)::int as lo, max(seq)::int as hi from audit_events where "tenantId" = $1`,
      [a.tenantId],
    );
    expect(seqs.hi - seqs.lo + 1).toBe(seqs.n);
    const batches = await one(
      `select count(distinct "occurredAt")::int as n from audit_events where "tenantId" = $1 and action = 'inference.predict'`,
      [a.tenantId],
    );
    expect(batches.n).toBeLessThan(100);
    const v = await gql(t.http, VERIFY, {}, { session: a });
    expect(v.body.data.verifyAuditChain).toEqual({ ok: true, checked: seqs.n, firstBadSeq: null });
    await t.sql.query(`update plans set "monthlyIncludedUnits" = 1000000 where id = 'pro'`);
  });

  it('each aliased predict counts against the rate limit on its own', async () => {
    // Plan limits are cached per tenant: set before the tenant's first request.
    await t.sql.query(`update plans set "requestsPerMinutePerKey" = 4 where id = 'free'`);
    const a = await tenant('Limited', 'free');
    const fields = Array.from(
      { length: 6 },
      (_, i) =>
        `p${i}: predict(input: { model: "iris", inputs: { features: [[5.1, 3.5, 1.4, 0.2]] } }) { usage { units } }`,
    );
    const r = await gql(t.http, `mutation { ${fields.join(' ')} }`, {}, { key: a.key });
    const codes = (r.body.errors ?? []).map((e: { extensions: { code: string } }) => e.extensions.code);
    // Mutation fields run one after another: p0..p3 take the four, p4 is refused (and, predict
    // being non-null, the operation stops there).
    expect(codes[0]).toBe('RATE_LIMITED');
    expect(r.body.errors[0].path).toEqual(['p4']);
    expect(await billed(a.tenantId)).toEqual({ n: 4, units: 4 });
    await t.sql.query(`update plans set "requestsPerMinutePerKey" = 600 where id = 'free'`);
  });

  it('a 150-row iris request is accepted (the version caps instances, not the global default)', async () => {
    const a = await tenant('Big');
    const r = await tfs(a.key, { instances: rows(150) });
    expect(r.status).toBe(200);
    expect(r.body.predictions).toHaveLength(150);
    expect(await billed(a.tenantId)).toEqual({ n: 1, units: 150 });
  });
});

d('the ledger across two api processes', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp({ DATABASE_POOL_SIZE: '10' });
    b = await startTestApp({ DATABASE_POOL_SIZE: '10' }, a.db);
    await a.sql.query(
      `update plans set "requestsPerMinutePerKey" = 100000, "requestsPerMinutePerTenant" = 100000, "maxConcurrentRequests" = 1000 where id = 'free'`,
    );
  }, 180_000);
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('hard cap, 10 units left, 200 concurrent predictions over two processes: exactly 10 answer', async () => {
    const s = await signUp(a.http, 'Capped');
    const key = (await createKey(a.http, s, ['inference:run'])).secret;
    const cap = Number(
      (await a.sql.query(`select "monthlyIncludedUnits" from plans where id = 'free'`)).rows[0].monthlyIncludedUnits,
    );
    await a.sql.query(
      `insert into quota_counters ("tenantId", "periodStart", "unitsUsed", "unitsReserved", "updatedAt")
      values ($1, date_trunc('month', now() at time zone 'utc'), $2, 0, now())
      on conflict ("tenantId", "periodStart") do update set "unitsUsed" = $2`,
      [s.tenantId, cap - 10],
    );
    const res = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        gql((i % 2 ? a : b).http, PREDICT, { i: { model: 'iris', inputs: { features: [SETOSA] } } }, { key }),
      ),
    );
    const ok = res.filter((r) => !r.body.errors);
    const refused = res.filter((r) => r.body.errors?.[0]?.extensions?.code === 'QUOTA_EXCEEDED');
    expect(ok).toHaveLength(10);
    expect(refused).toHaveLength(190);
    await Promise.all([a.app.get(QuotaLeases).returnAll(), b.app.get(QuotaLeases).returnAll()]);
    const c = (
      await a.sql.query(
        `select "unitsUsed"::int as used, "unitsReserved"::int as reserved from quota_counters where "tenantId" = $1`,
        [s.tenantId],
      )
    ).rows[0];
    expect(c).toEqual({ used: cap, reserved: 0 });
    expect(
      (await a.sql.query(`select count(*)::int as n from usage_records where "tenantId" = $1`, [s.tenantId])).rows[0].n,
    ).toBe(10);
  }, 120_000);
});
