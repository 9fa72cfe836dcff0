import { PrismaService } from '@app/db';
import { QuotaService, type QuotaReservation } from '@app/quotas';
import { needsPostgres } from '../support/database';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';

const d = needsPostgres('quota e2e') ? describe : describe.skip;

d('quotas: atomic reservations, budgets, quota status', () => {
  let t: TestApp;
  let quotas: QuotaService;
  let prisma: PrismaService;
  beforeAll(async () => {
    t = await startTestApp({ DATABASE_POOL_SIZE: '20' });
    quotas = t.app.get(QuotaService);
    prisma = t.app.get(PrismaService);
  });
  afterAll(async () => {
    await t.close();
  });

  const counter = async (tenantId: string) =>
    (
      await t.sql.query(
        'select "unitsUsed"::int used, "unitsReserved"::int reserved from quota_counters where "tenantId" = $1',
        [tenantId],
      )
    ).rows[0];
  const settle = (r: QuotaReservation, units: number) => prisma.$transaction((tx) => quotas.settle(tx, r, units));

  async function burst(tenantId: string, n: number) {
    const results = await Promise.allSettled(Array.from({ length: n }, () => quotas.reserve(tenantId, 1)));
    const ok = results
      .filter((r): r is PromiseFulfilledResult<QuotaReservation> => r.status === 'fulfilled')
      .map((r) => r.value);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
    return { ok, refused };
  }

  it('hard cap: with 10 units left, exactly 10 of 200 concurrent reservations succeed; settle and release lose nothing', async () => {
    const s = await signUp(t.http, 'Capped');
    const first = await quotas.reserve(s.tenantId, 9_990);
    await settle(first, 9_990);
    const { ok, refused } = await burst(s.tenantId, 200);
    expect(ok).toHaveLength(10);
    expect(refused).toHaveLength(190);
    expect(refused[0]).toMatchObject({ code: 'QUOTA_EXCEEDED', reason: 'MONTHLY_QUOTA_EXCEEDED' });
    expect(refused[0].retryAfter).toBeGreaterThan(0);
    expect(await counter(s.tenantId)).toEqual({ used: 9_990, reserved: 10 });

    for (const r of ok.slice(0, 5)) await settle(r, 1);
    for (const r of ok.slice(5)) {
      await quotas.release(r);
      await quotas.release(r); // idempotent
    }
    await quotas.release(ok[0]); // after settle: a no-op
    expect(await counter(s.tenantId)).toEqual({ used: 9_995, reserved: 0 });
    expect((await burst(s.tenantId, 50)).ok).toHaveLength(5);
  });

  it('a settle that rolls back with its transaction leaves the reservation to release', async () => {
    const s = await signUp(t.http, 'Rollback');
    const r = await quotas.reserve(s.tenantId, 3);
    await expect(
      prisma.$transaction(async (tx) => {
        await quotas.settle(tx, r, 3);
        throw new Error('inference result not stored');
      }),
    ).rejects.toThrow('not stored');
    expect(await counter(s.tenantId)).toEqual({ used: 0, reserved: 3 });
    await quotas.release(r);
    expect(await counter(s.tenantId)).toEqual({ used: 0, reserved: 0 });
  });

  it('budget: an overage plan stops exactly at its budget under 200 concurrent reservations, with alerts at 50/80/100%', async () => {
    const s = await signUp(t.http, 'Budgeted');
    // pro: 5,000,000 included, 200 micros per unit over; a 1 cent budget = 10,000 micros = 50 overage units.
    await t.sql.query(`update tenants set "planId" = 'pro', "budgetCents" = 1 where id = $1`, [s.tenantId]);
    await settle(await quotas.reserve(s.tenantId, 5_000_040), 5_000_040);
    const { ok, refused } = await burst(s.tenantId, 200);
    expect(ok).toHaveLength(10);
    expect(refused[0]).toMatchObject({ code: 'QUOTA_EXCEEDED', reason: 'BUDGET_EXCEEDED' });
    for (const r of ok) await settle(r, 1);
    const alerts = await t.sql.query('select threshold from budget_alerts where "tenantId" = $1 order by threshold', [
      s.tenantId,
    ]);
    expect(alerts.rows.map((a) => a.threshold)).toEqual([50, 80, 100]);
  });

  it('expired reservations of a crashed holder are swept back', async () => {
    const s = await signUp(t.http, 'Crashed');
    await quotas.reserve(s.tenantId, 7, { ttlMs: 1 });
    await quotas.sweepExpired(new Date(Date.now() + 1000));
    expect(await counter(s.tenantId)).toEqual({ used: 0, reserved: 0 });
  });

  it('quota query: plan, period, units and the rate limit; another tenant sees only its own', async () => {
    const a = await signUp(t.http, 'Owner A');
    const b = await signUp(t.http, 'Owner B');
    await settle(await quotas.reserve(a.tenantId, 42), 42);
    const key = await createKey(t.http, a, ['usage:read']);
    const q = `{ quota { plan period { start end } unitsIncluded unitsUsed hardCap rateLimit { limit remaining resetAt } } }`;
    const res = await gql(t.http, q, {}, { key: key.secret });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.quota).toMatchObject({
      plan: 'free',
      unitsIncluded: 10_000,
      unitsUsed: 42,
      hardCap: true,
      rateLimit: { limit: 60, remaining: 59 },
    });
    expect(new Date(res.body.data.quota.period.start).getUTCDate()).toBe(1);
    const other = await gql(t.http, `{ quota { unitsUsed } }`, {}, { session: b });
    expect(other.body.data.quota.unitsUsed).toBe(0);
  });
});
