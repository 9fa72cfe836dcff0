import { PrismaService } from '@app/db';
import { QuotaService } from '@app/quotas';
import { needsPostgres } from '../support/database';
import {
  STRONG_PASSWORD,
  TestApp,
  cookiesOf,
  createKey,
  gql,
  signUp,
  startTestApp,
  uniqueEmail,
} from '../support/test-app';

const d = needsPostgres('budget e2e') ? describe : describe.skip;
const SET = `mutation($c: Int) { setBudget(cents: $c) { budgetCents spentCents alertsSent } }`;

d('budgets: setBudget, the quota view and enforcement', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('sets, shows and clears the budget, audited with from/to', async () => {
    const s = await signUp(t.http, 'Budgeter');
    const set = await gql(t.http, SET, { c: 2500 }, { session: s });
    expect(set.body.errors).toBeUndefined();
    expect(set.body.data.setBudget).toEqual({ budgetCents: 2500, spentCents: 0, alertsSent: [] });
    const q = await gql(t.http, `{ quota { budget { budgetCents spentCents } } }`, {}, { session: s });
    expect(q.body.data.quota.budget).toEqual({ budgetCents: 2500, spentCents: 0 });
    const cleared = await gql(t.http, SET, { c: null }, { session: s });
    expect(cleared.body.data.setBudget).toBeNull();
    expect(
      (await gql(t.http, `{ quota { budget { budgetCents } } }`, {}, { session: s })).body.data.quota.budget,
    ).toBeNull();
    const audit = await t.sql.query(
      `select metadata from audit_events where "tenantId" = $1 and action = 'billing.budget_set' order by seq`,
      [s.tenantId],
    );
    expect(audit.rows.map((r) => r.metadata)).toEqual([
      { from: null, to: 2500 },
      { from: 2500, to: null },
    ]);
  });

  it('refuses negative and absurd values', async () => {
    const s = await signUp(t.http, 'Typo');
    for (const c of [-1, 100_000_001]) {
      const res = await gql(t.http, SET, { c }, { session: s });
      expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'INVALID_BUDGET' });
    }
    expect(
      (await t.sql.query('select "budgetCents" from tenants where id = $1', [s.tenantId])).rows[0].budgetCents,
    ).toBeNull();
  });

  it('an overage plan refuses reservations beyond the budget it set (BUDGET_EXCEEDED)', async () => {
    const s = await signUp(t.http, 'Overage');
    await t.sql.query(`update tenants set "planId" = 'pro' where id = $1`, [s.tenantId]);
    // pro: 5,000,000 included, 200 micros per unit over: 1 cent buys 50 overage units.
    expect((await gql(t.http, SET, { c: 1 }, { session: s })).body.errors).toBeUndefined();
    const quotas = t.app.get(QuotaService);
    const prisma = t.app.get(PrismaService);
    const r = await quotas.reserve(s.tenantId, 5_000_050);
    await prisma.$transaction((tx) => quotas.settle(tx, r, 5_000_050));
    await expect(quotas.reserve(s.tenantId, 1)).rejects.toMatchObject({
      code: 'QUOTA_EXCEEDED',
      reason: 'BUDGET_EXCEEDED',
    });
    const q = await gql(t.http, `{ quota { budget { budgetCents spentCents alertsSent } } }`, {}, { session: s });
    expect(q.body.data.quota.budget).toEqual({ budgetCents: 1, spentCents: 1, alertsSent: [50, 80, 100] });
    // Raising the budget lets requests through again at once.
    await gql(t.http, SET, { c: 2 }, { session: s });
    await expect(quotas.reserve(s.tenantId, 1)).resolves.toMatchObject({ units: 1 });
  });

  it('another role, an API key and a missing CSRF token are refused', async () => {
    const owner = await signUp(t.http, 'Roles');
    const email = uniqueEmail('dev');
    const inv = await gql(
      t.http,
      `mutation($i: InviteMemberInput!) { inviteMember(input: $i) { token } }`,
      { i: { email, role: 'DEVELOPER' } },
      { session: owner },
    );
    const joined = await gql(t.http, `mutation($i: SignUpInput!) { signUp(input: $i) { user { id } } }`, {
      i: { email, password: STRONG_PASSWORD, invitationToken: inv.body.data.inviteMember.token },
    });
    const dev = { ...cookiesOf(joined), userId: '', tenantId: owner.tenantId };
    const byDev = await gql(t.http, SET, { c: 100 }, { session: dev });
    expect(byDev.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const key = await createKey(t.http, owner, ['admin']);
    expect((await gql(t.http, SET, { c: 100 }, { key: key.secret })).body.errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await gql(t.http, SET, { c: 100 }, { session: owner, csrf: null })).body.errors[0].extensions.code).toBe(
      'FORBIDDEN',
    );
    expect(
      (await t.sql.query('select "budgetCents" from tenants where id = $1', [owner.tenantId])).rows[0].budgetCents,
    ).toBeNull();
  });
});
