import { Injectable, Logger } from '@nestjs/common';
import type StripeType from 'stripe';
import { Prisma } from '@app/db';
import { SubscriptionStateService } from './subscription-state';
import { idOf } from './tenant-of-customer';

/** checkout.session.completed: links the customer to the tenant and starts the paid plan. */
@Injectable()
export class CheckoutSessionHandler {
  private readonly log = new Logger('StripeWebhooks');

  constructor(private readonly state: SubscriptionStateService) {}

  async handle(
    tx: Prisma.TransactionClient,
    event: { type: string; data: { object: StripeType.Checkout.Session } },
    eventAt: Date,
  ): Promise<void> {
    const session = event.data.object;
    const tenantId = session.client_reference_id ?? session.metadata?.tenantId ?? null;
    const customerId = idOf(session.customer);
    const tenant = tenantId ? await tx.tenant.findUnique({ where: { id: tenantId } }) : null;
    // The customer must be the one we created for this tenant (or the tenant has none yet).
    if (!tenant || (tenant.stripeCustomerId && customerId && tenant.stripeCustomerId !== customerId)) {
      return this.log.warn(`checkout ${session.id}: no matching tenant`);
    }
    if (!tenant.stripeCustomerId && customerId)
      await tx.tenant.update({ where: { id: tenant.id }, data: { stripeCustomerId: customerId } });
    const planId = session.metadata?.planId;
    if (session.mode !== 'subscription' || !planId || session.status !== 'complete') return;
    if (!(await tx.plan.findUnique({ where: { id: planId } })))
      return this.log.warn(`checkout ${session.id}: unknown plan ${planId}`);
    await this.state.apply(tx, {
      tenantId: tenant.id,
      stripeSubscriptionId: idOf(session.subscription),
      status:
        session.payment_status === 'paid' || session.payment_status === 'no_payment_required' ? 'active' : 'incomplete',
      planId,
      currentPeriodStart: null,
      currentPeriodEnd: null,
      eventAt,
      eventType: event.type,
    });
  }
}
