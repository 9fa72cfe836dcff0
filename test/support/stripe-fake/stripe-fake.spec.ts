import type StripeType from 'stripe';
import { FaultPlan } from './fault-plan';
import { signedWebhook } from './signed-webhook';
import { StripeFake } from './stripe-fake';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const stripeModule = require('stripe');
const Stripe: typeof StripeType = stripeModule.default ?? stripeModule;

type Client = StripeType;

/**
 * The SDK's own retry loop, with its backoff shortened so a test with retries takes
 * milliseconds instead of seconds. Only the sleep changes; what is retried is the SDK's call.
 */
function quickRetries(stripe: Client): Client {
  const s = stripe as unknown as { getInitialNetworkRetryDelay(): number; getMaxNetworkRetryDelay(): number };
  s.getInitialNetworkRetryDelay = () => 0.01;
  s.getMaxNetworkRetryDelay = () => 0.02;
  return stripe;
}

describe('StripeFake with the official SDK', () => {
  let fake: StripeFake;
  const client = (options: Record<string, unknown> = {}, key = 'sk_test_fake') =>
    quickRetries(new Stripe(key, { ...fake.sdkConfig(), maxNetworkRetries: 0, ...options }));

  beforeEach(async () => {
    fake = await new StripeFake().start();
  });
  afterEach(() => fake.stop());

  describe('customers', () => {
    it('creates, retrieves, updates, searches and lists', async () => {
      const stripe = client();
      const created = await stripe.customers.create({
        email: 'ops@acme.test',
        name: 'Acme',
        metadata: { tenantId: 't_1', plan: 'pro' },
      });
      expect(created.id).toMatch(/^cus_/);
      expect((await stripe.customers.retrieve(created.id)) as StripeType.Customer).toMatchObject({
        email: 'ops@acme.test',
      });

      const updated = await stripe.customers.update(created.id, { name: 'Acme Inc', metadata: { plan: '' } });
      expect(updated).toMatchObject({ name: 'Acme Inc', metadata: { tenantId: 't_1' } });
      expect(updated.metadata.plan).toBeUndefined();

      await stripe.customers.create({ email: 'other@b.test', metadata: { tenantId: 't_2' } });
      const found = await stripe.customers.search({ query: "metadata['tenantId']:'t_1'" });
      expect(found.data.map((c) => c.id)).toEqual([created.id]);
      const listed = await stripe.customers.list({ email: 'other@b.test' });
      expect(listed.data).toHaveLength(1);
    });

    it('answers an unknown id the way Stripe does', async () => {
      const error = await client()
        .customers.retrieve('cus_missing')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing', param: 'id' });
    });

    it('paginates so that auto-pagination sees every customer once', async () => {
      const stripe = client();
      for (let i = 0; i < 25; i++) await stripe.customers.create({ email: `c${i}@x.test` });
      const all = await stripe.customers.list({ limit: 10 }).autoPagingToArray({ limit: 100 });
      expect(new Set(all.map((c) => c.id)).size).toBe(25);
    });

    it('refuses a request without an API key', async () => {
      const res = await fetch(`http://127.0.0.1:${fake.port}/v1/customers`);
      expect(res.status).toBe(401);
    });
  });

  it('creates checkout and billing portal sessions with a url', async () => {
    const stripe = client();
    const customer = await stripe.customers.create({ email: 'a@b.test' });
    const checkout = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: 'price_pro' }],
      success_url: 'https://app.test/ok',
      cancel_url: 'https://app.test/cancel',
    });
    expect(checkout.url).toMatch(/^https:\/\/checkout\.stripe\.com\//);
    expect(fake.checkoutSessions()[0]).toMatchObject({
      customer: customer.id,
      line_items_requested: [{ price: 'price_pro' }],
    });
    const portal = await stripe.billingPortal.sessions.create({
      customer: customer.id,
      return_url: 'https://app.test/billing',
    });
    expect(portal.url).toMatch(/^https:\/\/billing\.stripe\.com\//);
  });

  it('lists and retrieves seeded subscriptions, invoices and prices', async () => {
    const stripe = client();
    const price = fake.addPrice({ lookup_key: 'pro_monthly' });
    fake.addPrice({ lookup_key: 'other' });
    const sub = fake.addSubscription('cus_a', {
      items: { object: 'list', data: [{ id: 'si_1', price }], has_more: false },
    });
    fake.addSubscription('cus_a', { status: 'canceled' });
    fake.addInvoice('cus_a', { subscription: sub.id, amount_paid: 1200 });
    expect((await stripe.subscriptions.retrieve(sub.id)).status).toBe('active');
    expect((await stripe.subscriptions.list({ customer: 'cus_a' })).data).toHaveLength(1);
    expect((await stripe.subscriptions.list({ customer: 'cus_a', status: 'all' })).data).toHaveLength(2);
    expect((await stripe.invoices.list({ customer: 'cus_a' })).data[0]).toMatchObject({ amount_paid: 1200 });
    expect((await stripe.prices.list({ lookup_keys: ['pro_monthly'] })).data.map((p) => p.id)).toEqual([price.id]);
  });

  describe('meter events', () => {
    const send = (stripe: Client, identifier: string, customer = 'cus_a', value = 1) =>
      stripe.billing.meterEvents.create({
        event_name: 'inference_units',
        identifier,
        payload: { stripe_customer_id: customer, value: String(value) },
      });

    beforeEach(() => {
      fake.addMeter('inference_units');
    });

    it('records accepted events, refuses a duplicate identifier as Stripe does, and the SDK does not retry it', async () => {
      const stripe = client({ maxNetworkRetries: 3 });
      const created = await send(stripe, 'usage:t1:2026-01-01T00', 'cus_a', 5);
      expect(created).toMatchObject({
        object: 'billing.meter_event',
        identifier: 'usage:t1:2026-01-01T00',
        payload: { value: '5' },
      });

      const duplicate = await send(stripe, 'usage:t1:2026-01-01T00', 'cus_a', 5).catch((e: unknown) => e);
      expect(duplicate).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(duplicate).toMatchObject({
        statusCode: 400,
        rawType: 'invalid_request_error',
        message: 'An event already exists with identifier usage:t1:2026-01-01T00.',
      });
      expect(fake.requests().filter((r) => r.path === '/v1/billing/meter_events')).toHaveLength(2);
      expect(fake.meterEventIdentifiers()).toEqual(['usage:t1:2026-01-01T00']);
      expect(fake.meterTotals()).toEqual({ cus_a: 5 });
    });

    it('refuses an event for which no meter exists', async () => {
      const error = await client()
        .billing.meterEvents.create({ event_name: 'nope', payload: { stripe_customer_id: 'cus_a', value: '1' } })
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ statusCode: 400, rawType: 'invalid_request_error' });
    });

    it('lists meters and sums event summaries per customer', async () => {
      const stripe = client();
      const now = Math.floor(Date.now() / 1000);
      await send(stripe, 'e1', 'cus_a', 2);
      await send(stripe, 'e2', 'cus_a', 3);
      await send(stripe, 'e3', 'cus_b', 7);
      const meters = await stripe.billing.meters.list();
      expect(meters.data.map((m) => m.event_name)).toEqual(['inference_units']);
      const summaries = await stripe.billing.meters.listEventSummaries(meters.data[0].id, {
        customer: 'cus_a',
        start_time: now - 60,
        end_time: now + 60,
      });
      expect(summaries.data.map((s) => s.aggregated_value)).toEqual([5]);
      expect(fake.meterTotals('inference_units')).toEqual({ cus_a: 5, cus_b: 7 });
    });

    it('retries a 500 inside the SDK under one idempotency key', async () => {
      fake.failNext('500', 2);
      await send(client({ maxNetworkRetries: 2 }), 'retry-500');
      const tries = fake.requests();
      expect(tries.map((r) => r.status)).toEqual([500, 500, 200]);
      expect(new Set(tries.map((r) => r.idempotencyKey)).size).toBe(1);
      expect(fake.meterEvents()).toHaveLength(1);
    });

    it('applies a request whose reply is dropped; the SDK retry is replayed, not applied twice', async () => {
      fake.failNext('drop-after');
      const event = await send(client({ maxNetworkRetries: 0 }), 'dropped-reply', 'cus_a', 4);
      expect(event.identifier).toBe('dropped-reply');
      expect(fake.requests().map((r) => [r.fault, r.replayed])).toEqual([
        ['drop-after', false],
        [undefined, true],
      ]);
      expect(fake.meterTotals()).toEqual({ cus_a: 4 });
    });

    it('refuses an application-level resend of a dropped reply (new idempotency key) by identifier', async () => {
      fake.failNext('drop-after', 2);
      const lost = await send(client({ maxNetworkRetries: 0 }), 'resend').catch((e: unknown) => e);
      expect(lost).toBeInstanceOf(Stripe.errors.StripeConnectionError);
      const resend = await send(client(), 'resend').catch((e: unknown) => e);
      expect(resend).toMatchObject({ statusCode: 400, message: 'An event already exists with identifier resend.' });
      expect(fake.meterEvents()).toHaveLength(1);
    });

    it('does not apply a request dropped before it reached the API', async () => {
      fake.failNext('drop-before', 2);
      const error = await send(client({ maxNetworkRetries: 0 }), 'never-arrived').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
      expect(fake.meterEvents()).toHaveLength(0);
    });

    it('answers 429 with Retry-After', async () => {
      fake.setFaults({ rate: 1, kinds: ['429'], retryAfterSeconds: 7 });
      const error = await send(client(), 'limited').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
      expect((error as { headers: Record<string, string> }).headers['retry-after']).toBe('7');
      expect(fake.meterEvents()).toHaveLength(0);
    });

    it('hangs until the client times out, and the SDK retry then succeeds', async () => {
      fake.failNext('timeout');
      const error = await send(client({ timeout: 200 }), 'slow').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
      fake.failNext('timeout');
      await send(client({ timeout: 200, maxNetworkRetries: 1 }), 'slow-retried');
      expect(fake.meterEventIdentifiers()).toEqual(['slow-retried']);
    });

    it('bills every event exactly once under seeded random faults and SDK retries', async () => {
      fake.setFaults({
        rate: 0.4,
        kinds: ['500', 'drop-before', 'drop-after'],
        seed: 42,
        match: (r) => r.method === 'POST',
      });
      const stripe = client({ maxNetworkRetries: 8 });
      for (let i = 0; i < 20; i++) await send(stripe, `batch-${i}`, i % 2 ? 'cus_a' : 'cus_b', i);
      expect(fake.requests().some((r) => r.fault)).toBe(true);
      expect(fake.meterEventIdentifiers()).toEqual(Array.from({ length: 20 }, (_, i) => `batch-${i}`));
      expect(fake.meterTotals()).toEqual({ cus_a: 100, cus_b: 90 });
    });

    it('sends v2 events through a meter event session and stream', async () => {
      const session = await client().v2.billing.meterEventSession.create();
      const streamer = client({}, session.authentication_token);
      await streamer.v2.billing.meterEventStream.create({
        events: [
          { event_name: 'inference_units', identifier: 'v2-1', payload: { stripe_customer_id: 'cus_a', value: '2' } },
          { event_name: 'inference_units', identifier: 'v2-1', payload: { stripe_customer_id: 'cus_a', value: '2' } },
        ],
      });
      expect(fake.meterEvents()).toMatchObject([{ identifier: 'v2-1', value: 2, api: 'v2' }]);
    });
  });

  it('makes fault sequences reproducible from the seed', () => {
    const sequence = (seed: number) => {
      const plan = new FaultPlan({ rate: 0.5, kinds: ['500', '429', 'drop-after'], seed });
      return Array.from({ length: 30 }, () => plan.next({ method: 'POST', path: '/v1/x' }));
    };
    expect(sequence(7)).toEqual(sequence(7));
    expect(sequence(7)).not.toEqual(sequence(8));
  });

  it('signs webhook payloads that the SDK verifies', () => {
    const secret = 'whsec_test_secret';
    const { payload, signature } = signedWebhook(
      { type: 'invoice.paid', data: { object: { id: 'in_1', customer: 'cus_a' } } },
      secret,
    );
    const event = new Stripe('sk_test_x').webhooks.constructEvent(payload, signature, secret);
    expect(event).toMatchObject({ type: 'invoice.paid', data: { object: { id: 'in_1' } } });
    expect(() => new Stripe('sk_test_x').webhooks.constructEvent(payload, signature, 'whsec_other')).toThrow(
      Stripe.errors.StripeSignatureVerificationError,
    );
  });
});
