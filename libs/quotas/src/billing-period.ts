/** A billing month in UTC: [start, end). Quotas, budgets and usage summaries all use it. */
export interface BillingPeriod {
  start: Date;
  end: Date;
}

export function billingPeriodOf(at: Date = new Date()): BillingPeriod {
  const start = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const end = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
  return { start, end };
}

/** Whole seconds until the period ends (at least 1): the retryAfter of a monthly refusal. */
export function secondsUntil(end: Date, now = Date.now()): number {
  return Math.max(1, Math.ceil((end.getTime() - now) / 1000));
}
