import { Prisma } from '@app/db';

// Free allowances go to verified identities: a free plan's units start when the tenant's owner
// verifies the e-mail address (tenants.allowanceStartedAt); a paid plan's units start at once.

/** The included units in SQL, for statements that join `tenants t` and `plans p`. */
export const INCLUDED_UNITS = Prisma.sql`(CASE WHEN p."monthlyPriceCents" = 0 AND t."allowanceStartedAt" IS NULL THEN 0 ELSE p."monthlyIncludedUnits" END)`;

type TenantWithPlan = {
  allowanceStartedAt: Date | null;
  plan: { monthlyPriceCents: number; monthlyIncludedUnits: bigint };
};

export const allowanceStarted = (t: TenantWithPlan): boolean =>
  t.plan.monthlyPriceCents > 0 || t.allowanceStartedAt !== null;

export const includedUnitsOf = (t: TenantWithPlan): number =>
  allowanceStarted(t) ? Number(t.plan.monthlyIncludedUnits) : 0;
