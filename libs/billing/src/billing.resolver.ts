import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { AppError } from '@app/common';
import { TenantPrisma } from '@app/db';
import { Ctx, CurrentTenant, RequestContext, RequirePermission, SessionOnly } from '@app/auth';
import { StripeCheckoutService } from './stripe/stripe-checkout.service';
import { StripePortalService } from './stripe/stripe-portal.service';
import { BillingPortalSession, CheckoutSession, Invoice } from './dto/billing.types';

@Resolver()
export class BillingResolver {
  constructor(
    private readonly checkout: StripeCheckoutService,
    private readonly portal: StripePortalService,
    private readonly tenants: TenantPrisma,
  ) {}

  @SessionOnly()
  @RequirePermission('billing:manage')
  @Mutation(() => CheckoutSession, {
    nullable: true,
    description: 'A Stripe Checkout page for a plan; the plan changes when Stripe confirms payment',
  })
  startCheckout(
    @Args('plan') plan: string,
    @CurrentTenant() tenantId: string,
    @Ctx() ctx: RequestContext,
  ): Promise<CheckoutSession> {
    if (ctx.principal.kind === 'anonymous') throw AppError.unauthenticated();
    return this.checkout.start(tenantId, ctx.principal, plan, ctx.requestId);
  }

  @SessionOnly()
  @RequirePermission('billing:manage')
  @Mutation(() => BillingPortalSession, {
    nullable: true,
    description: "Stripe's customer portal: payment methods, invoices, cancellation",
  })
  openBillingPortal(@CurrentTenant() tenantId: string): Promise<BillingPortalSession> {
    return this.portal.open(tenantId);
  }

  @RequirePermission('billing:read')
  @Query(() => [Invoice], { description: "The tenant's invoices, as Stripe's webhooks reported them" })
  async invoices(@CurrentTenant() tenantId: string): Promise<Invoice[]> {
    const rows = await this.tenants.forTenant(tenantId).invoice.findMany({ orderBy: { createdAt: 'desc' }, take: 100 });
    return rows.map((r) => ({ ...r, amountDue: Number(r.amountDue), amountPaid: Number(r.amountPaid) }));
  }
}
