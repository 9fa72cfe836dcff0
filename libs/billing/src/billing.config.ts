import { z } from 'zod';

/**
 * Billing settings of this library, from process.env (the shared AppConfig holds only
 * STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET):
 * - STRIPE_API_BASE: e.g. http://127.0.0.1:12111, to point the SDK at a Stripe-compatible fake
 *   (tests); unset in production (api.stripe.com).
 * - STRIPE_TIMEOUT_MS (default 10000): per-request timeout of Stripe calls.
 * - BILLING_RETURN_URL: where Checkout and the portal send the customer back (default PUBLIC_URL
 *   or http://localhost:3000).
 * - METER_FLUSH_INTERVAL_MS (5000), METER_FLUSH_BATCH_SIZE (100), METER_FLUSH_CONCURRENCY (8),
 *   METER_MAX_ATTEMPTS (10, then DEAD), METER_BACKOFF_BASE_MS (2000), METER_BACKOFF_MAX_MS (600000),
 *   METER_CLAIM_MS (60000: a claimed row is retried after this if its flusher died mid-send).
 * - STRIPE_PRICE_<PLAN> / STRIPE_METERED_PRICE_<PLAN> (e.g. STRIPE_PRICE_PRO=price_...): the
 *   Stripe prices checkout sells a plan with, written to the plans table at start (see
 *   prices/plan-price-env.ts). Or create them: node dist/libs/billing/src/cli/sync-prices.js.
 */
export const billingConfigSchema = z.object({
  STRIPE_SECRET_KEY: z.string().optional(),
  STRIPE_API_BASE: z.string().url().optional(),
  STRIPE_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  BILLING_RETURN_URL: z.string().url().optional(),
  PUBLIC_URL: z.string().url().optional(),
  METER_FLUSH_INTERVAL_MS: z.coerce.number().int().positive().default(5_000),
  METER_FLUSH_BATCH_SIZE: z.coerce.number().int().positive().max(1000).default(100),
  METER_FLUSH_CONCURRENCY: z.coerce.number().int().positive().max(64).default(8),
  METER_MAX_ATTEMPTS: z.coerce.number().int().positive().default(10),
  METER_BACKOFF_BASE_MS: z.coerce.number().int().positive().default(2_000),
  METER_BACKOFF_MAX_MS: z.coerce.number().int().positive().default(600_000),
  METER_CLAIM_MS: z.coerce.number().int().positive().default(60_000),
});

export type BillingConfig = z.infer<typeof billingConfigSchema> & { returnUrl: string };

export function loadBillingConfig(env: NodeJS.ProcessEnv = process.env): BillingConfig {
  const c = billingConfigSchema.parse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  return { ...c, returnUrl: c.BILLING_RETURN_URL ?? c.PUBLIC_URL ?? 'http://localhost:3000' };
}
