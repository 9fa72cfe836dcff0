import { listEnvelope } from '../stripe-fake-store';
import { noSuch } from '../stripe-error';
import { route, type Route } from '../route';

/** Read-only resources that tests seed through StripeFake (addPrice, addSubscription, addInvoice). */
export const catalogRoutes: Route[] = [
  route('GET', /^\/v1\/subscriptions\/([^/]+)$/, ({ store, params: [id] }) => {
    const sub = store.subscriptions.get(id);
    if (!sub) throw noSuch('subscription', id);
    return sub;
  }),
  route('GET', /^\/v1\/subscriptions$/, ({ store, query }) => {
    const customer = query.get('customer');
    const status = query.get('status');
    // Like Stripe, the default list leaves out canceled subscriptions.
    const data = [...store.subscriptions.values()].filter(
      (s) =>
        (!customer || s.customer === customer) &&
        (status === 'all' || (status ? s.status === status : s.status !== 'canceled')),
    );
    return listEnvelope('/v1/subscriptions', data, query);
  }),
  route('GET', /^\/v1\/invoices$/, ({ store, query }) => {
    const customer = query.get('customer');
    const subscription = query.get('subscription');
    const status = query.get('status');
    const data = [...store.invoices.values()].filter(
      (i) =>
        (!customer || i.customer === customer) &&
        (!subscription || i.subscription === subscription) &&
        (!status || i.status === status),
    );
    return listEnvelope('/v1/invoices', data, query);
  }),
  route('GET', /^\/v1\/prices$/, ({ store, query }) => {
    const active = query.get('active');
    const product = query.get('product');
    const lookupKeys = [...query.entries()].filter(([k]) => k.startsWith('lookup_keys')).map(([, v]) => v);
    const data = [...store.prices.values()].filter(
      (p) =>
        (active === null || String(p.active) === active) &&
        (!product || p.product === product) &&
        (lookupKeys.length === 0 || lookupKeys.includes(p.lookup_key as string)),
    );
    return listEnvelope('/v1/prices', data, query);
  }),
];
