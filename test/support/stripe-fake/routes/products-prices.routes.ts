import { str, type FormObject, type FormValue } from '../form-body';
import { missingParam, noSuch, StripeHttpError } from '../stripe-error';
import { route, type Route } from '../route';
import type { StripeObject, StripeFakeStore } from '../stripe-fake-store';

const isObject = (v: FormValue | undefined): v is { [key: string]: FormValue } =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: FormValue | undefined) => (typeof v === 'string' && v !== '' && v !== 'inf' ? Number(v) : null);

/** Stripe keeps a lookup key on one price at a time; transfer_lookup_key moves it, else a clash is an error. */
function claimLookupKey(store: StripeFakeStore, key: string | undefined, transfer: boolean): void {
  if (!key) return;
  for (const p of store.prices.values()) {
    if (p.lookup_key !== key) continue;
    if (!transfer)
      throw new StripeHttpError(400, 'invalid_request_error', `A price (\`${p.id}\`) already uses that lookup key.`, {
        param: 'lookup_key',
      });
    p.lookup_key = null;
  }
}

function tiersOf(body: FormObject): StripeObject['tiers'] {
  const tiers = body.tiers;
  if (!Array.isArray(tiers)) return null;
  return tiers.filter(isObject).map((t) => ({
    up_to: num(t.up_to),
    unit_amount: num(t.unit_amount),
    unit_amount_decimal: typeof t.unit_amount_decimal === 'string' ? t.unit_amount_decimal : null,
    flat_amount: num(t.flat_amount),
  }));
}

/** Products, prices and meters as an operator's price sync creates them. */
export const productPriceRoutes: Route[] = [
  route('POST', /^\/v1\/products$/, ({ store, body }) => {
    const name = str(body, 'name');
    if (!name) throw missingParam('name');
    const id = str(body, 'id') ?? store.newId('prod');
    if (store.products.has(id))
      throw new StripeHttpError(400, 'invalid_request_error', `Product already exists.`, {
        code: 'resource_already_exists',
        param: 'id',
      });
    const product: StripeObject = {
      id,
      object: 'product',
      created: store.now(),
      name,
      active: true,
      description: str(body, 'description') ?? null,
      metadata: body.metadata ?? {},
      livemode: false,
    };
    store.products.set(id, product);
    return product;
  }),
  route('GET', /^\/v1\/products\/([^/]+)$/, ({ store, params: [id] }) => {
    const product = store.products.get(id);
    if (!product) throw noSuch('product', id);
    return product;
  }),
  route('POST', /^\/v1\/prices$/, ({ store, body }) => {
    const currency = str(body, 'currency');
    if (!currency) throw missingParam('currency');
    const product = str(body, 'product');
    if (!product) throw missingParam('product');
    if (!store.products.has(product)) throw noSuch('product', product, 'product');
    const recurring = isObject(body.recurring) ? body.recurring : null;
    const meter = recurring && typeof recurring.meter === 'string' ? recurring.meter : null;
    if (meter && !store.meters.has(meter)) throw noSuch('billing.meter', meter, 'recurring[meter]');
    if (recurring?.usage_type === 'metered' && !meter) throw missingParam('recurring[meter]');
    const tiered = str(body, 'billing_scheme') === 'tiered';
    if (tiered && !Array.isArray(body.tiers)) throw missingParam('tiers');
    claimLookupKey(store, str(body, 'lookup_key'), str(body, 'transfer_lookup_key') === 'true');
    const price: StripeObject = {
      id: store.newId('price'),
      object: 'price',
      created: store.now(),
      active: true,
      currency,
      product,
      lookup_key: str(body, 'lookup_key') ?? null,
      nickname: str(body, 'nickname') ?? null,
      billing_scheme: tiered ? 'tiered' : 'per_unit',
      tiers_mode: str(body, 'tiers_mode') ?? null,
      tiers: tiered ? tiersOf(body) : null,
      unit_amount: num(body.unit_amount),
      recurring: recurring
        ? { interval: recurring.interval ?? 'month', usage_type: recurring.usage_type ?? 'licensed', meter }
        : null,
      metadata: body.metadata ?? {},
      livemode: false,
    };
    store.prices.set(price.id, price);
    return price;
  }),
  route('POST', /^\/v1\/billing\/meters$/, ({ store, body }) => {
    const eventName = str(body, 'event_name');
    if (!eventName) throw missingParam('event_name');
    if (store.meterFor(eventName))
      throw new StripeHttpError(
        400,
        'invalid_request_error',
        `An active meter with event_name ${eventName} already exists.`,
        { param: 'event_name' },
      );
    const meter: StripeObject = {
      id: store.newId('mtr'),
      object: 'billing.meter',
      created: store.now(),
      event_name: eventName,
      display_name: str(body, 'display_name') ?? eventName,
      status: 'active',
      default_aggregation: body.default_aggregation ?? { formula: 'sum' },
      customer_mapping: body.customer_mapping ?? { type: 'by_id', event_payload_key: 'stripe_customer_id' },
      value_settings: body.value_settings ?? { event_payload_key: 'value' },
      event_time_window: null,
      livemode: false,
    };
    store.meters.set(meter.id, meter);
    return meter;
  }),
];
