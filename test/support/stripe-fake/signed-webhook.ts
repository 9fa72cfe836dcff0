import { createRequire } from 'node:module';

// The SDK's own signer, so the platform's verification is tested against Stripe's format.
const requireCjs = createRequire(__filename);
const stripeModule = requireCjs('stripe');
const StripeCtor = stripeModule.default ?? stripeModule;
const signer = new StripeCtor('sk_test_webhook_signer');

export interface SignedWebhook {
  /** The raw body to POST: verification is over these exact bytes. */
  payload: string;
  /** The value of the `Stripe-Signature` header. */
  signature: string;
}

/** A Stripe event JSON and its signature, e.g. for POST /webhooks/stripe. */
export function signedWebhook(
  event: { id?: string; type: string; data: { object: Record<string, unknown> } } & Record<string, unknown>,
  secret: string,
  timestamp?: number,
): SignedWebhook {
  const payload = JSON.stringify({
    id: event.id ?? `evt_fake_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`,
    object: 'event',
    api_version: (StripeCtor.API_VERSION as string | undefined) ?? null,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    ...event,
  });
  const signature: string = signer.webhooks.generateTestHeaderString({ payload, secret, timestamp });
  return { payload, signature };
}
