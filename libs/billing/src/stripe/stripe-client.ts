import type StripeType from 'stripe';
import type { BillingConfig } from '../billing.config';

export type StripeClient = StripeType;

// CommonJS: the SDK's constructor is the default export under ESM interop, the module otherwise.
// Loaded on first use, not at start: with billing off (no key) the process never needs it, and a
// cold start does not pay for its module graph (test/bench/cold-start).
let sdk: typeof StripeType | undefined;
const StripeCtor = (): typeof StripeType => (sdk ??= require('stripe').default ?? require('stripe'));

/** The SDK client, or null when billing is off (no STRIPE_SECRET_KEY): the ledger still works. */
export function createStripeClient(
  config: Pick<BillingConfig, 'STRIPE_SECRET_KEY' | 'STRIPE_API_BASE' | 'STRIPE_TIMEOUT_MS'>,
  maxNetworkRetries = 2,
): StripeClient | null {
  if (!config.STRIPE_SECRET_KEY) return null;
  const base = config.STRIPE_API_BASE ? new URL(config.STRIPE_API_BASE) : null;
  return new (StripeCtor())(config.STRIPE_SECRET_KEY, {
    maxNetworkRetries,
    timeout: config.STRIPE_TIMEOUT_MS,
    telemetry: false,
    ...(base
      ? {
          host: base.hostname,
          port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
          protocol: base.protocol.replace(':', '') as 'http' | 'https',
        }
      : {}),
  });
}

/** Stripe's decimal type: the SDK takes `*_decimal` amounts (fractions of a cent) as these. */
export const stripeDecimal = (value: string) => StripeCtor().Decimal.from(value);

export const STRIPE = Symbol('STRIPE');
