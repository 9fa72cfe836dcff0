import { str } from '../form-body';
import { missingParam } from '../stripe-error';
import { route, type Route } from '../route';
import type { StripeObject } from '../stripe-fake-store';

/** Checkout and customer-portal sessions: what matters to the platform is the returned `url`. */
export const sessionRoutes: Route[] = [
  route('POST', /^\/v1\/checkout\/sessions$/, ({ store, body }) => {
    const mode = str(body, 'mode');
    if (!mode) throw missingParam('mode');
    const id = store.newId('cs_test');
    const session: StripeObject = {
      id,
      object: 'checkout.session',
      created: store.now(),
      mode,
      status: 'open',
      customer: str(body, 'customer') ?? null,
      client_reference_id: str(body, 'client_reference_id') ?? null,
      success_url: str(body, 'success_url') ?? null,
      cancel_url: str(body, 'cancel_url') ?? null,
      line_items_requested: body.line_items ?? [],
      metadata: body.metadata ?? {},
      url: `https://checkout.stripe.com/c/pay/${id}`,
      livemode: false,
    };
    store.checkoutSessions.set(id, session);
    return session;
  }),
  route('POST', /^\/v1\/billing_portal\/sessions$/, ({ store, body }) => {
    const customer = str(body, 'customer');
    if (!customer) throw missingParam('customer');
    const id = store.newId('bps');
    const session: StripeObject = {
      id,
      object: 'billing_portal.session',
      created: store.now(),
      customer,
      return_url: str(body, 'return_url') ?? null,
      url: `https://billing.stripe.com/p/session/test_${id}`,
      livemode: false,
    };
    store.portalSessions.set(id, session);
    return session;
  }),
];
