import { PrismaService } from '@app/db';
import { PlanPriceEnvSync, createStripeClient, planPricesFromEnv, syncStripePrices } from '@app/billing';
import { needsPostgres } from '../support/database';
import { StripeFake } from '../support/stripe-fake';
import { TestApp, gql, signUp, startTestApp } from '../support/test-app';

const d = needsPostgres('billing prices e2e') ? describe : describe.skip;
const CHECKOUT = `mutation($p: String!) { startCheckout(plan: $p) { url } }`;

d('billing: connecting plans to Stripe prices', () => {
  let t: TestApp;
  let fake: StripeFake;
  let sync: () => ReturnType<typeof syncStripePrices>;
  beforeAll(async () => {
    fake = await new StripeFake().start();
    const base = `http://127.0.0.1:${fake.port}`;
    t = await startTestApp({
      STRIPE_SECRET_KEY: 'sk_test_prices',
      STRIPE_WEBHOOK_SECRET: 'whsec_prices',
      STRIPE_API_BASE: base,
    });
    const stripe = createStripeClient({
      STRIPE_SECRET_KEY: 'sk_test_prices',
      STRIPE_API_BASE: base,
      STRIPE_TIMEOUT_MS: 5_000,
    })!;
    sync = () => syncStripePrices(t.app.get(PrismaService), stripe, 'model_units');
  });
  afterAll(async () => {
    await t.close();
    await fake.stop();
  });

  const planRow = async (id: string) =>
    (await t.sql.query('select "stripePriceId", "stripeMeteredPriceId" from plans where id = $1', [id])).rows[0];

  it('sync creates product, flat and graduated metered prices once; checkout then sells the plan with them', async () => {
    const s = await signUp(t.http, 'Buyer');
    const before = await gql(t.http, CHECKOUT, { p: 'pro' }, { session: s });
    expect(before.body.errors[0].extensions.reason).toBe('PLAN_NOT_PURCHASABLE');

    const first = await sync();
    expect(first.map((r) => r.plan)).toEqual(['developer', 'pro']); // free costs nothing, enterprise is by contract
    const pro = first.find((r) => r.plan === 'pro')!;
    expect(first.find((r) => r.plan === 'developer')!.meteredPrice).toBeNull(); // hard cap: no overage to bill
    const meter = [...fake.store.meters.values()].find((m) => m.event_name === 'model_units')!;
    expect(meter).toBeDefined();
    const flat = fake.store.prices.get(pro.flatPrice)!;
    expect(flat).toMatchObject({
      product: 'maas_plan_pro',
      unit_amount: 19900,
      currency: 'usd',
      lookup_key: 'maas_plan_pro_flat',
      recurring: { interval: 'month' },
    });
    const metered = fake.store.prices.get(pro.meteredPrice!)!;
    expect(metered).toMatchObject({
      product: 'maas_plan_pro',
      billing_scheme: 'tiered',
      tiers_mode: 'graduated',
      recurring: { usage_type: 'metered', meter: meter.id },
    });
    expect(metered.tiers).toEqual([
      { up_to: 5_000_000, unit_amount: null, unit_amount_decimal: '0', flat_amount: null },
      { up_to: null, unit_amount: null, unit_amount_decimal: '0.02', flat_amount: null },
    ]);
    expect(await planRow('pro')).toEqual({ stripePriceId: pro.flatPrice, stripeMeteredPriceId: pro.meteredPrice });

    const again = await sync();
    expect(again.flatMap((r) => r.created)).toEqual([]);
    expect(again).toEqual(first.map((r) => ({ ...r, created: [] })));
    expect(fake.products()).toHaveLength(2);

    const res = await gql(t.http, CHECKOUT, { p: 'pro' }, { session: s });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.startCheckout.url).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    const session = fake.checkoutSessions().find((c) => c.client_reference_id === s.tenantId)!;
    expect(session.line_items_requested).toEqual([
      { price: pro.flatPrice, quantity: '1' },
      { price: pro.meteredPrice },
    ]);
    const plans = await gql(t.http, `{ plans { id purchasable } }`, {}, { session: s });
    expect(plans.body.data.plans).toEqual([
      { id: 'free', purchasable: false },
      { id: 'developer', purchasable: true },
      { id: 'pro', purchasable: true },
    ]);
  });

  it('a changed plan price gets a new Stripe price that takes over the lookup key', async () => {
    const old = (await sync()).find((r) => r.plan === 'developer')!;
    await t.sql.query(`update plans set "monthlyPriceCents" = 3900 where id = 'developer'`);
    const next = (await sync()).find((r) => r.plan === 'developer')!;
    expect(next.flatPrice).not.toBe(old.flatPrice);
    expect(fake.store.prices.get(next.flatPrice)).toMatchObject({
      unit_amount: 3900,
      lookup_key: 'maas_plan_developer_flat',
    });
    expect(fake.store.prices.get(old.flatPrice)!.lookup_key).toBeNull();
    expect((await planRow('developer')).stripePriceId).toBe(next.flatPrice);
  });

  it('STRIPE_PRICE_<PLAN> / STRIPE_METERED_PRICE_<PLAN> are written to the plans table, idempotently; bad values stop the start', async () => {
    const envSync = t.app.get(PlanPriceEnvSync);
    const env = planPricesFromEnv({
      STRIPE_PRICE_PRO: 'price_env_flat',
      STRIPE_METERED_PRICE_PRO: 'price_env_metered',
      STRIPE_SECRET_KEY: 'x',
    });
    expect(await envSync.apply(env)).toBe(1);
    expect(await envSync.apply(env)).toBe(0);
    expect(await planRow('pro')).toEqual({
      stripePriceId: 'price_env_flat',
      stripeMeteredPriceId: 'price_env_metered',
    });
    expect(() => planPricesFromEnv({ STRIPE_PRICE_PRO: 'prod_oops' })).toThrow(/STRIPE_PRICE_PRO/);
    await expect(envSync.apply(planPricesFromEnv({ STRIPE_PRICE_GOLD: 'price_x' }))).rejects.toThrow(/no plan "gold"/);
  });

  it('the environment is applied when an instance starts', async () => {
    const other = await startTestApp({ STRIPE_PRICE_DEVELOPER: 'price_from_env' }, t.db);
    try {
      expect((await planRow('developer')).stripePriceId).toBe('price_from_env');
    } finally {
      await other.close();
    }
  });
});
