import { Injectable, Logger } from '@nestjs/common';
import type StripeType from 'stripe';
import { Prisma } from '@app/db';
import { SubscriptionStateService } from './subscription-state';
import { idOf, tenantOfCustomer } from './tenant-of-customer';

const toDate = (s: number | null | undefined) => (s ? new Date(s * 1000) : null);

/** customer.subscription.created / updated / deleted. */
@Injectable()
export class SubscriptionHandler {
  private readonly log = new Logger('StripeWebhooks');

  constructor(private readonly state: SubscriptionStateService) {}

  async handle(
    tx: Prisma.TransactionClient,
    event: { type: string; data: { object: StripeType.Subscription } },
    eventAt: Date,
  ): Promise<void> {
    const sub = event.data.object;
    const tenantId = await tenantOfCustomer(tx, idOf(sub.customer), sub.metadata?.tenantId);
    if (!tenantId) return this.log.warn(`subscription ${sub.id}: no tenant for customer ${idOf(sub.customer)}`);
    const planId = await this.planOf(tx, sub);
    if (!planId) return this.log.warn(`subscription ${sub.id}: no plan matches its prices`);
    const item = sub.items?.data?.[0] as
      (StripeType.SubscriptionItem & { current_period_start?: number; current_period_end?: number }) | undefined;
    const legacy = sub as unknown as { current_period_start?: number; current_period_end?: number };
    await this.state.apply(tx, {
      tenantId,
      stripeSubscriptionId: sub.id,
      status: event.type === 'customer.subscription.deleted' ? 'canceled' : sub.status,
      planId,
      currentPeriodStart: toDate(item?.current_period_start ?? legacy.current_period_start),
      currentPeriodEnd: toDate(item?.current_period_end ?? legacy.current_period_end),
      eventAt,
      eventType: event.type,
    });
  }

  /** Our metadata names the plan; otherwise the plan whose flat price is on the subscription. */
  private async planOf(tx: Prisma.TransactionClient, sub: StripeType.Subscription): Promise<string | null> {
    const named = sub.metadata?.planId;
    if (named && (await tx.plan.findUnique({ where: { id: named } }))) return named;
    const prices = (sub.items?.data ?? []).map((i) => i.price?.id).filter((p): p is string => !!p);
    const plan = prices.length ? await tx.plan.findFirst({ where: { stripePriceId: { in: prices } } }) : null;
    return plan?.id ?? null;
  }
}
