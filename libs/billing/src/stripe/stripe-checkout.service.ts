import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '@app/audit';
import { PrismaService } from '@app/db';
import type { AuthenticatedPrincipal } from '@app/auth';
import { actorOf } from '@app/auth';
import { loadBillingConfig } from '../billing.config';
import { BillingError } from '../billing.error';
import { STRIPE, type StripeClient } from './stripe-client';
import { StripeCustomerService } from './stripe-customer.service';

/** Upgrades go through Stripe Checkout; the plan changes when its webhook arrives, not here. */
@Injectable()
export class StripeCheckoutService {
  private readonly returnUrl = loadBillingConfig().returnUrl;

  constructor(
    @Inject(STRIPE) private readonly stripe: StripeClient | null,
    private readonly customers: StripeCustomerService,
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
  ) {}

  async start(
    tenantId: string,
    principal: AuthenticatedPrincipal,
    planId: string,
    requestId: string,
  ): Promise<{ url: string }> {
    const plan = await this.prisma.plan.findUnique({ where: { id: planId } });
    if (!plan) throw BillingError.unknownPlan(planId);
    if (!this.stripe) throw BillingError.disabled();
    if (!plan.public || !plan.stripePriceId) throw BillingError.notPurchasable(planId);
    const customer = await this.customers.ensure(tenantId);
    const lineItems = [
      { price: plan.stripePriceId, quantity: 1 },
      ...(plan.stripeMeteredPriceId ? [{ price: plan.stripeMeteredPriceId }] : []),
    ];
    const session = await this.stripe.checkout.sessions
      .create({
        mode: 'subscription',
        customer,
        client_reference_id: tenantId,
        line_items: lineItems,
        subscription_data: { metadata: { tenantId, planId } },
        metadata: { tenantId, planId },
        success_url: `${this.returnUrl}/billing?checkout=success`,
        cancel_url: `${this.returnUrl}/billing?checkout=cancelled`,
      })
      .catch((e) => Promise.reject(BillingError.unavailable(e)));
    await this.prisma.$transaction((tx) =>
      this.audit.append(tx, tenantId, {
        actor: actorOf(principal),
        action: 'billing.checkout_started',
        target: { type: 'plan', id: planId },
        requestId,
        metadata: { checkoutSessionId: session.id },
      }),
    );
    return { url: session.url! };
  }
}
