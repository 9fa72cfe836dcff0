/** Stripe price ids for one plan, as an operator configured them. */
export interface PlanPriceIds {
  stripePriceId?: string;
  stripeMeteredPriceId?: string;
}

/** STRIPE_PRICE_<PLAN> / STRIPE_METERED_PRICE_<PLAN>: a family of variables, not one name in a schema. */
export const PLAN_PRICE_VARIABLE = /^STRIPE_(PRICE|METERED_PRICE)_([A-Z0-9_]+)$/;
const VAR = PLAN_PRICE_VARIABLE;
const PRICE_ID = /^price_[A-Za-z0-9_]+$/;

/**
 * Reads STRIPE_PRICE_<PLAN> (flat monthly price) and STRIPE_METERED_PRICE_<PLAN> (overage), e.g.
 * STRIPE_PRICE_PRO=price_123. <PLAN> is the plan id upper-cased, `-` written as `_`. A value that
 * is not a price id stops the process at start, naming the variable.
 */
export function planPricesFromEnv(env: NodeJS.ProcessEnv = process.env): Map<string, PlanPriceIds> {
  const out = new Map<string, PlanPriceIds>();
  for (const [name, value] of Object.entries(env)) {
    const m = VAR.exec(name);
    if (!m || value === undefined || value === '') continue;
    if (!PRICE_ID.test(value))
      throw new Error(`${name}: expected a Stripe price id (price_...), got ${JSON.stringify(value)}`);
    const planId = m[2]!.toLowerCase().replace(/_/g, '-');
    const ids = out.get(planId) ?? {};
    if (m[1] === 'PRICE') ids.stripePriceId = value;
    else ids.stripeMeteredPriceId = value;
    out.set(planId, ids);
  }
  return out;
}
