import request from 'supertest';
import { needsPostgres } from '../support/database';
import { StripeFake, signedWebhook } from '../support/stripe-fake';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';

const d = needsPostgres('billing e2e') ? describe : describe.skip;
const SECRET = 'whsec_test_billing';
const CHECKOUT = `mutation($p: String!) { startCheckout(plan: $p) { url } }`;

d('billing: checkout, portal, invoices and Stripe webhooks', () => {
  let t: TestApp;
  let fake: StripeFake;
  beforeAll(async () => {
    fake = await new StripeFake().start();
    t = await startTestApp({
      STRIPE_SECRET_KEY: 'sk_test_x',
      STRIPE_WEBHOOK_SECRET: SECRET,
      STRIPE_API_BASE: `http://127.0.0.1:${fake.port}`,
    });
    await t.sql.query(
      `update plans set "stripePriceId" = 'price_' || id || '_flat', "stripeMeteredPriceId" = CASE WHEN NOT "hardCap" THEN 'price_' || id || '_metered' END`,
    );
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  const post = (event: Parameters<typeof signedWebhook>[0], secret = SECRET, timestamp?: number) => {
    const w = signedWebhook(event, secret, timestamp);
    return request(t.http)
      .post('/webhooks/stripe')
      .set('content-type', 'application/json')
      .set('stripe-signature', w.signature)
      .send(w.payload);
  };
  const planOf = async (tenantId: string) =>
    (await t.sql.query('select "planId" from tenants where id = $1', [tenantId])).rows[0].planId;
  const subEvent = (
    id: string,
    type: string,
    customer: string,
    planId: string,
    created: number,
    status = 'active',
  ) => ({
    id,
    type,
    created,
    data: {
      object: { id: 'sub_1', object: 'subscription', customer, status, metadata: { planId }, items: { data: [] } },
    },
  });

  it('checkout: a Stripe Checkout url for a plan; unknown plan and missing rights are refused', async () => {
    const s = await signUp(t.http, 'Upgrader');
    const res = await gql(t.http, CHECKOUT, { p: 'pro' }, { session: s });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.startCheckout.url).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    expect(fake.checkoutSessions()[0]).toMatchObject({ client_reference_id: s.tenantId });
    const unknown = await gql(t.http, CHECKOUT, { p: 'platinum' }, { session: s });
    expect(unknown.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UNKNOWN_PLAN' });
    const key = await createKey(t.http, s, ['billing:read', 'usage:read']);
    const byKey = await gql(t.http, CHECKOUT, { p: 'pro' }, { key: key.secret });
    expect(byKey.body.errors[0].extensions.code).toBe('FORBIDDEN');
    const portal = await gql(t.http, `mutation { openBillingPortal { url } }`, {}, { session: s });
    expect(portal.body.data.openBillingPortal.url).toMatch(/^https?:\/\//);
  });

  it('webhooks: forged and stale signatures are refused with 400 and change nothing', async () => {
    const s = await signUp(t.http, 'Forged');
    await t.sql.query(`update tenants set "stripeCustomerId" = 'cus_forged' where id = $1`, [s.tenantId]);
    const now = Math.floor(Date.now() / 1000);
    const forged = await post(
      subEvent('evt_forged', 'customer.subscription.updated', 'cus_forged', 'pro', now),
      'whsec_wrong',
    );
    expect(forged.status).toBe(400);
    const stale = await post(
      subEvent('evt_stale', 'customer.subscription.updated', 'cus_forged', 'pro', now),
      SECRET,
      now - 3600,
    );
    expect(stale.status).toBe(400);
    expect(await planOf(s.tenantId)).toBe('free');
    expect((await t.sql.query(`select count(*)::int n from stripe_events`)).rows[0].n).toBe(0);
  });

  it('webhooks drive the plan; a replay has no effect; an older event arriving late is ignored', async () => {
    const s = await signUp(t.http, 'Subscriber');
    await t.sql.query(`update tenants set "stripeCustomerId" = 'cus_sub' where id = $1`, [s.tenantId]);
    const now = Math.floor(Date.now() / 1000);
    const upgrade = subEvent('evt_up', 'customer.subscription.updated', 'cus_sub', 'pro', now);
    expect((await post(upgrade)).body).toEqual({ received: true, duplicate: false });
    expect(await planOf(s.tenantId)).toBe('pro');
    const late = subEvent('evt_old', 'customer.subscription.updated', 'cus_sub', 'developer', now - 60);
    expect((await post(late)).status).toBe(200);
    expect(await planOf(s.tenantId)).toBe('pro');
    await post(subEvent('evt_del', 'customer.subscription.deleted', 'cus_sub', 'pro', now + 10, 'canceled'));
    expect(await planOf(s.tenantId)).toBe('free');
    expect((await post(upgrade)).body).toEqual({ received: true, duplicate: true });
    expect(await planOf(s.tenantId)).toBe('free');
    const audit = await t.sql.query(
      `select count(*)::int n from audit_events where "tenantId" = $1 and action = 'billing.subscription_updated'`,
      [s.tenantId],
    );
    expect(audit.rows[0].n).toBe(2);
  });

  it('invoices arrive by webhook and are visible only to their tenant', async () => {
    const a = await signUp(t.http, 'Invoiced');
    const b = await signUp(t.http, 'Other');
    await t.sql.query(`update tenants set "stripeCustomerId" = 'cus_inv' where id = $1`, [a.tenantId]);
    const now = Math.floor(Date.now() / 1000);
    const invoice = (status: string, created: number) => ({
      id: `evt_inv_${status}`,
      type: `invoice.${status === 'paid' ? 'paid' : 'finalized'}`,
      created,
      data: {
        object: {
          id: 'in_1',
          object: 'invoice',
          customer: 'cus_inv',
          status,
          currency: 'usd',
          amount_due: 19900,
          amount_paid: status === 'paid' ? 19900 : 0,
          number: 'INV-1',
          created: now,
        },
      },
    });
    await post(invoice('paid', now));
    await post(invoice('open', now - 5)); // older, out of order: must not reopen a paid invoice
    const mine = await gql(t.http, `{ invoices { id status amountDue amountPaid number } }`, {}, { session: a });
    expect(mine.body.data.invoices).toEqual([
      { id: 'in_1', status: 'paid', amountDue: 19900, amountPaid: 19900, number: 'INV-1' },
    ]);
    const theirs = await gql(t.http, `{ invoices { id } }`, {}, { session: b });
    expect(theirs.body.data.invoices).toEqual([]);
  });
});

d('billing off: no Stripe key', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      STRIPE_SECRET_KEY: undefined,
      STRIPE_WEBHOOK_SECRET: undefined,
      STRIPE_API_BASE: undefined,
    });
  });
  afterAll(() => t.close());

  it('startCheckout answers BILLING_DISABLED; quota still answers from the ledger', async () => {
    const s = await signUp(t.http, 'Local');
    const res = await gql(t.http, CHECKOUT, { p: 'pro' }, { session: s });
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'BILLING_DISABLED' });
    const q = await gql(t.http, `{ quota { plan unitsUsed } }`, {}, { session: s });
    expect(q.body.data.quota).toEqual({ plan: 'free', unitsUsed: 0 });
  });
});
