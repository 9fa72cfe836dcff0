import { obj, str } from '../form-body';
import { listEnvelope, type StripeObject } from '../stripe-fake-store';
import { noSuch, StripeHttpError } from '../stripe-error';
import { route, type Route } from '../route';

/** Metadata updates follow Stripe: keys merge, an empty string deletes a key. */
function mergeMetadata(
  current: Record<string, string>,
  update: Record<string, string> | undefined,
): Record<string, string> {
  const merged = { ...current };
  for (const [k, v] of Object.entries(update ?? {})) {
    if (v === '') delete merged[k];
    else merged[k] = v;
  }
  return merged;
}

/** The subset of Stripe's search query language the platform uses: `field:'v'` clauses joined by AND. */
function matchesSearch(customer: StripeObject, query: string): boolean {
  const clauses = query
    .split(/\s+AND\s+/i)
    .map((c) => c.trim())
    .filter(Boolean);
  return clauses.every((clause) => {
    const m = /^(email|name|metadata\[['"]([^'"]+)['"]\])\s*:\s*['"](.*)['"]$/.exec(clause);
    if (!m)
      throw new StripeHttpError(
        400,
        'invalid_request_error',
        `The fake does not understand the search clause: ${clause}`,
      );
    const actual = m[2] !== undefined ? (customer.metadata as Record<string, string>)[m[2]] : customer[m[1]];
    return actual === m[3];
  });
}

export const customerRoutes: Route[] = [
  route('POST', /^\/v1\/customers$/, ({ store, body }) => {
    const customer: StripeObject = {
      id: store.newId('cus'),
      object: 'customer',
      created: store.now(),
      email: str(body, 'email') ?? null,
      name: str(body, 'name') ?? null,
      description: str(body, 'description') ?? null,
      metadata: mergeMetadata({}, obj(body, 'metadata')),
      livemode: false,
      deleted: undefined,
    };
    store.customers.set(customer.id, customer);
    return customer;
  }),
  route('GET', /^\/v1\/customers\/search$/, ({ store, query }) => {
    const q = query.get('query');
    if (!q)
      throw new StripeHttpError(400, 'invalid_request_error', 'Missing required param: query.', {
        code: 'parameter_missing',
        param: 'query',
      });
    const data = [...store.customers.values()].filter((c) => matchesSearch(c, q)).reverse();
    return { object: 'search_result', data, has_more: false, next_page: null, url: '/v1/customers/search' };
  }),
  route('GET', /^\/v1\/customers$/, ({ store, query }) => {
    const email = query.get('email');
    const all = [...store.customers.values()].filter((c) => !email || c.email === email);
    return listEnvelope('/v1/customers', all, query);
  }),
  route('GET', /^\/v1\/customers\/([^/]+)$/, ({ store, params: [id] }) => {
    const customer = store.customers.get(id);
    if (!customer) throw noSuch('customer', id);
    return customer;
  }),
  route('POST', /^\/v1\/customers\/([^/]+)$/, ({ store, params: [id], body }) => {
    const customer = store.customers.get(id);
    if (!customer) throw noSuch('customer', id);
    for (const field of ['email', 'name', 'description'] as const) {
      const v = str(body, field);
      if (v !== undefined) customer[field] = v === '' ? null : v;
    }
    customer.metadata = mergeMetadata(customer.metadata as Record<string, string>, obj(body, 'metadata'));
    return customer;
  }),
];
