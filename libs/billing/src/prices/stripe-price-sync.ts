import type Stripe from 'stripe';
import type { Plan } from '@app/db';
import { PrismaService } from '@app/db';
import { stripeDecimal, type StripeClient } from '../stripe/stripe-client';

export interface PlanSyncResult {
  plan: string;
  product: string;
  flatPrice: string;
  meteredPrice: string | null;
  created: string[];
}

const productIdOf = (planId: string) => `maas_plan_${planId}`;
const flatKeyOf = (planId: string) => `maas_plan_${planId}_flat`;
const meteredKeyOf = (planId: string) => `maas_plan_${planId}_metered`;

/** Millionths of the currency unit as Stripe's decimal cents string, exactly (200 -> "0.02"). */
export function microsToDecimalCents(micros: bigint): string {
  const whole = micros / 10_000n;
  const frac = (micros % 10_000n).toString().padStart(4, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : whole.toString();
}

/**
 * Connects the public paid plans to Stripe: per plan a product, a flat monthly price and, for
 * overage plans, a metered price on the usage meter whose first graduated tier (the included
 * units) is free. Each object is found first (product by its fixed id, prices by lookup key) and
 * created only when missing or different: a changed plan price gets a new Stripe price (prices
 * are immutable) that takes over the lookup key. The ids end up on the plans row.
 */
export async function syncStripePrices(
  prisma: PrismaService,
  stripe: StripeClient,
  meterEventName: string,
): Promise<PlanSyncResult[]> {
  // Plans are a global catalogue, not tenant-owned.
  const plans = await prisma.plan.findMany({
    where: { public: true, monthlyPriceCents: { gt: 0 } },
    orderBy: { monthlyPriceCents: 'asc' },
  });
  const results: PlanSyncResult[] = [];
  let meterId: string | undefined;
  for (const plan of plans) {
    const created: string[] = [];
    const product = await ensureProduct(stripe, plan, created);
    const existing = await stripe.prices.list({
      lookup_keys: [flatKeyOf(plan.id), meteredKeyOf(plan.id)],
      active: true,
      limit: 10,
      expand: ['data.tiers'],
    });
    const byKey = new Map(existing.data.map((p) => [p.lookup_key, p]));

    let flat = byKey.get(flatKeyOf(plan.id));
    if (
      !flat ||
      flat.unit_amount !== plan.monthlyPriceCents ||
      flat.currency !== plan.currency ||
      flat.product !== product
    ) {
      flat = await stripe.prices.create({
        product,
        currency: plan.currency,
        unit_amount: plan.monthlyPriceCents,
        recurring: { interval: 'month' },
        lookup_key: flatKeyOf(plan.id),
        transfer_lookup_key: Boolean(flat),
        nickname: `${plan.name} monthly`,
        metadata: { planId: plan.id },
      });
      created.push(flat.id);
    }

    let metered: Stripe.Price | undefined;
    if (!plan.hardCap && plan.overageMicrosPerUnit > 0n) {
      meterId ??= await ensureMeter(stripe, meterEventName, created);
      metered = byKey.get(meteredKeyOf(plan.id));
      if (!metered || !meteredMatches(metered, plan, product, meterId)) {
        metered = await stripe.prices.create({
          product,
          currency: plan.currency,
          billing_scheme: 'tiered',
          tiers_mode: 'graduated',
          tiers: [
            { up_to: Number(plan.monthlyIncludedUnits), unit_amount_decimal: stripeDecimal('0') },
            { up_to: 'inf', unit_amount_decimal: stripeDecimal(microsToDecimalCents(plan.overageMicrosPerUnit)) },
          ],
          recurring: { interval: 'month', usage_type: 'metered', meter: meterId },
          lookup_key: meteredKeyOf(plan.id),
          transfer_lookup_key: Boolean(metered),
          nickname: `${plan.name} usage`,
          metadata: { planId: plan.id },
        });
        created.push(metered.id);
      }
    }

    await prisma.plan.update({
      where: { id: plan.id },
      data: { stripePriceId: flat.id, stripeMeteredPriceId: metered?.id ?? null },
    });
    results.push({ plan: plan.id, product, flatPrice: flat.id, meteredPrice: metered?.id ?? null, created });
  }
  return results;
}

async function ensureProduct(stripe: StripeClient, plan: Plan, created: string[]): Promise<string> {
  const id = productIdOf(plan.id);
  try {
    return (await stripe.products.retrieve(id)).id;
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode !== 404) throw e;
  }
  const product = await stripe.products.create({
    id,
    name: plan.name,
    description: plan.description || undefined,
    metadata: { planId: plan.id },
  });
  created.push(product.id);
  return product.id;
}

async function ensureMeter(stripe: StripeClient, eventName: string, created: string[]): Promise<string> {
  for await (const meter of stripe.billing.meters.list({ status: 'active', limit: 100 }))
    if (meter.event_name === eventName) return meter.id;
  // The payload keys are the ones the meter-event outbox sends (stripe_customer_id, value).
  const meter = await stripe.billing.meters.create({
    display_name: 'Model units',
    event_name: eventName,
    default_aggregation: { formula: 'sum' },
    customer_mapping: { type: 'by_id', event_payload_key: 'stripe_customer_id' },
    value_settings: { event_payload_key: 'value' },
  });
  created.push(meter.id);
  return meter.id;
}

function meteredMatches(price: Stripe.Price, plan: Plan, product: string, meterId: string): boolean {
  const [free, paid] = price.tiers ?? [];
  return (
    price.product === product &&
    price.currency === plan.currency &&
    price.recurring?.meter === meterId &&
    price.tiers_mode === 'graduated' &&
    free?.up_to === Number(plan.monthlyIncludedUnits) &&
    Number(String(free.unit_amount_decimal ?? free.unit_amount ?? 0)) === 0 &&
    paid?.up_to === null &&
    Number(String(paid.unit_amount_decimal)) === Number(microsToDecimalCents(plan.overageMicrosPerUnit))
  );
}
