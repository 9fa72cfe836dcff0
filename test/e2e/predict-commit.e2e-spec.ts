import { AuditVerifyService } from '@app/audit';
import { BudgetAlertService } from '@app/quotas';
import { PredictionService } from '@app/inference/prediction/prediction.service';
import type { PredictionContext } from '@app/inference/prediction/prediction.service';
import { needsPostgres } from '../support/database';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';

const d = needsPostgres('prediction commit e2e') ? describe : describe.skip;

const PREDICT = `mutation($i: PredictInput!) { predict(input: $i) { usage { units } } }`;
const VERIFY = `{ verifyAuditChain { ok checked firstBadSeq } }`;
const SETOSA = [5.1, 3.5, 1.4, 0.2];

/**
 * A prediction commits usage (+ meter-event outbox row), its audit event and its quota settle in
 * ONE statement. Under 100 concurrent requests of one tenant: every effect exactly once, the
 * chain gap-free; a replayed idempotency key writes nothing and returns its hold.
 */
d('prediction commit: one statement, concurrent and replayed', () => {
  let t: TestApp;
  let session: Awaited<ReturnType<typeof signUp>>;
  let key: string;
  let tenantId: string;
  let predictions: PredictionService;

  beforeAll(async () => {
    t = await startTestApp({ DATABASE_POOL_SIZE: '10' });
    // Before the first request (plan limits are cached per process): the pro plan (overage, so
    // every record also writes an outbox row) with limits that never refuse 100 at once, nothing
    // included and a 5-cent budget (200 micros a unit: the 50% alert fires at 125 units, 80% at 200).
    await t.sql.query(`update plans set "requestsPerMinutePerKey" = 100000, "requestsPerMinutePerTenant" = 100000, "maxConcurrentRequests" = 1000, "monthlyIncludedUnits" = 0 where id = 'pro'`);
    session = await signUp(t.http, 'Concurrent');
    tenantId = session.tenantId;
    await t.sql.query(`update tenants set "planId" = 'pro', "budgetCents" = 5 where id = $1`, [tenantId]);
    key = (await createKey(t.http, session, ['inference:run'])).secret;
    predictions = t.app.get(PredictionService);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  const one = async (sql: string, params: unknown[] = [tenantId]) => (await t.sql.query(sql, params)).rows[0];
  const counter = () => one(`select "unitsUsed"::int as used, "unitsReserved"::int as reserved from quota_counters where "tenantId" = $1`);
  const predictCount = async () => Number((await one(`select count(*) from audit_events where "tenantId" = $1 and action = 'inference.predict'`)).count);

  it('100 concurrent predictions: 100 usage and outbox rows, units settled, 100 gap-free audit events', async () => {
    const alerts = jest.spyOn(t.app.get(BudgetAlertService), 'report');
    // 1, 2 or 3 instances: 34 + 66 + 99 = 199 units.
    const res = await Promise.all(Array.from({ length: 100 }, (_, i) =>
      gql(t.http, PREDICT, { i: { model: 'iris', inputs: { features: Array.from({ length: (i % 3) + 1 }, () => SETOSA) } } }, { key })));
    for (const r of res) expect(r.body.errors).toBeUndefined();
    const units = res.reduce((n, r) => n + r.body.data.predict.usage.units, 0);
    expect(units).toBe(199);

    expect(await one(`select count(*)::int as n, sum(units)::int as units from usage_records where "tenantId" = $1`)).toEqual({ n: 100, units: 199 });
    expect(await one(`select count(*)::int as n, sum(value)::int as units from meter_event_outbox where "tenantId" = $1`)).toEqual({ n: 100, units: 199 });
    expect(await counter()).toEqual({ used: 199, reserved: 0 });
    expect(await one(`select count(*)::int as n from quota_reservations where "tenantId" = $1`)).toEqual({ n: 0 });
    // 199 units x 200 micros = 39,800 of 50,000: the 50% threshold, once.
    expect((await t.sql.query(`select threshold from budget_alerts where "tenantId" = $1`, [tenantId])).rows).toEqual([{ threshold: 50 }]);
    expect(alerts.mock.calls.filter(([, fired]) => fired.length > 0)).toEqual([[tenantId, [{ threshold: 50 }]]]);
    alerts.mockRestore();
    expect(await predictCount()).toBe(100);
    const seqs = await one(`select count(*)::int as n, min(seq)::int as lo, max(seq)::int as hi from audit_events where "tenantId" = $1`);
    expect(seqs.hi - seqs.lo + 1).toBe(seqs.n);
    const head = await one(`select "lastSeq"::int as seq from audit_chain_heads where "tenantId" = $1`);
    expect(head.seq).toBe(seqs.hi);
    const v = await gql(t.http, VERIFY, {}, { session });
    expect(v.body.data.verifyAuditChain).toEqual({ ok: true, checked: seqs.n, firstBadSeq: null });
  }, 120_000);

  it('a replayed idempotency key writes once and returns its hold, also when both run at once', async () => {
    const ctx = (key: string): PredictionContext => ({ tenantId, apiKeyId: null, userId: session.userId, requestId: `req_${key}`, idempotencyKey: key, actor: { type: 'user', id: session.userId } });
    const input = { model: 'iris', inputs: { features: [SETOSA, SETOSA] } };
    const before = { counter: await counter(), audits: await predictCount() };

    await predictions.predict(ctx('idem-1'), input);
    await predictions.predict(ctx('idem-1'), input);
    await Promise.all([predictions.predict(ctx('idem-2'), input), predictions.predict(ctx('idem-2'), input), predictions.predict(ctx('idem-2'), input)]);

    expect((await t.sql.query(`select "idempotencyKey" as k, units::int from usage_records where "idempotencyKey" like 'idem-%' order by 1`)).rows)
      .toEqual([{ k: 'idem-1', units: 2 }, { k: 'idem-2', units: 2 }]);
    expect(await one(`select count(*)::int as n from meter_event_outbox where "tenantId" = $1`)).toEqual({ n: 102 });
    expect(await counter()).toEqual({ used: before.counter.used + 4, reserved: 0 });
    expect(await one(`select count(*)::int as n from quota_reservations where "tenantId" = $1`)).toEqual({ n: 0 });
    expect(await predictCount()).toBe(before.audits + 2);
    expect((await gql(t.http, VERIFY, {}, { session })).body.data.verifyAuditChain).toMatchObject({ ok: true, firstBadSeq: null });
  });

  it("another tenant's idempotency key is a CONFLICT that writes nothing and returns the hold", async () => {
    const other = await signUp(t.http, 'Other');
    const ctx: PredictionContext = { tenantId: other.tenantId, apiKeyId: null, userId: other.userId, requestId: 'req_x', idempotencyKey: 'idem-1', actor: { type: 'user', id: other.userId } };
    await expect(predictions.predict(ctx, { model: 'iris', inputs: { features: [SETOSA] } })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await one(`select count(*)::int as n from usage_records where "tenantId" = $1`, [other.tenantId])).toEqual({ n: 0 });
    expect(await one(`select "unitsUsed"::int as used, "unitsReserved"::int as reserved from quota_counters where "tenantId" = $1`, [other.tenantId])).toEqual({ used: 0, reserved: 0 });
    expect(await one(`select count(*)::int as n from audit_events where "tenantId" = $1 and action = 'inference.predict'`, [other.tenantId])).toEqual({ n: 0 });
  });

  it("a tenant's first audit event is a prediction: its chain head is created, then everything commits", async () => {
    const fresh = `ten_fresh_${Date.now()}`;
    await t.sql.query(`insert into tenants (id, name) values ($1, 'Fresh')`, [fresh]);
    const ctx: PredictionContext = { tenantId: fresh, apiKeyId: null, userId: null, requestId: 'req_fresh', actor: { type: 'system', id: null } };
    await predictions.predict(ctx, { model: 'iris', inputs: { features: [SETOSA] } });
    expect(await one(`select count(*)::int as n from usage_records where "tenantId" = $1`, [fresh])).toEqual({ n: 1 });
    expect(await one(`select seq::int, action from audit_events where "tenantId" = $1`, [fresh])).toEqual({ seq: 1, action: 'inference.predict' });
    expect(await one(`select "unitsUsed"::int as used, "unitsReserved"::int as reserved from quota_counters where "tenantId" = $1`, [fresh])).toEqual({ used: 1, reserved: 0 });
    expect(await t.app.get(AuditVerifyService).verify(fresh)).toMatchObject({ ok: true, checked: 1, firstBadSeq: null });
  });
});
