import { Injectable } from '@nestjs/common';
import { AuditService } from '@app/audit';
import { Prisma } from '@app/db';
import { PlanLimitsService } from '@app/quotas';

export interface SubscriptionState {
  tenantId: string;
  stripeSubscriptionId: string | null;
  status: string;
  planId: string;
  currentPeriodStart: Date | null;
  currentPeriodEnd: Date | null;
  /** The Stripe event's creation time: an older event than the last applied one changes nothing. */
  eventAt: Date;
  eventType: string;
}

const ENDED = new Set(['canceled', 'incomplete_expired']);

/**
 * The one place a webhook changes a tenant's plan. Out of order safe: the upsert only wins when
 * its event is not older than the last applied one (lastEventAt), and an ended subscription only
 * downgrades the tenant if it is still the tenant's current subscription.
 */
@Injectable()
export class SubscriptionStateService {
  constructor(
    private readonly audit: AuditService,
    private readonly plans: PlanLimitsService,
  ) {}

  async apply(tx: Prisma.TransactionClient, s: SubscriptionState): Promise<boolean> {
    const planId = ENDED.has(s.status) ? 'free' : s.planId;
    const rows = await tx.$queryRaw<{ tenantId: string }[]>`
      INSERT INTO subscriptions ("tenantId", "stripeSubscriptionId", status, "planId", "currentPeriodStart", "currentPeriodEnd", "lastEventAt", "updatedAt")
      VALUES (${s.tenantId}, ${s.stripeSubscriptionId}, ${s.status}, ${planId}, ${s.currentPeriodStart}, ${s.currentPeriodEnd}, ${s.eventAt}, now())
      ON CONFLICT ("tenantId") DO UPDATE SET "stripeSubscriptionId" = EXCLUDED."stripeSubscriptionId", status = EXCLUDED.status, "planId" = EXCLUDED."planId",
        "currentPeriodStart" = COALESCE(EXCLUDED."currentPeriodStart", subscriptions."currentPeriodStart"),
        "currentPeriodEnd" = COALESCE(EXCLUDED."currentPeriodEnd", subscriptions."currentPeriodEnd"), "lastEventAt" = EXCLUDED."lastEventAt", "updatedAt" = now()
      WHERE (subscriptions."lastEventAt" IS NULL OR subscriptions."lastEventAt" <= EXCLUDED."lastEventAt")
        AND (EXCLUDED.status NOT IN ('canceled', 'incomplete_expired') OR subscriptions."stripeSubscriptionId" IS NULL
             OR subscriptions."stripeSubscriptionId" = EXCLUDED."stripeSubscriptionId")
      RETURNING "tenantId"`;
    if (rows.length === 0) return false;
    // Tenant is the tenancy root; the id comes from our own customer mapping.
    const before = await tx.tenant.findUnique({ where: { id: s.tenantId }, select: { planId: true } });
    await tx.tenant.update({ where: { id: s.tenantId }, data: { planId } });
    await this.audit.append(tx, s.tenantId, {
      actor: { type: 'system', id: 'stripe' },
      action: 'billing.subscription_updated',
      target: { type: 'subscription', id: s.stripeSubscriptionId },
      metadata: { event: s.eventType, status: s.status, planFrom: before?.planId ?? null, planTo: planId },
    });
    this.plans.invalidate(s.tenantId);
    return true;
  }
}
