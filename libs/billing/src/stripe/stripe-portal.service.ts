import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '@app/db';
import { loadBillingConfig } from '../billing.config';
import { BillingError } from '../billing.error';
import { STRIPE, type StripeClient } from './stripe-client';

/** Payment methods, invoices and cancellation are managed in Stripe's customer portal. */
@Injectable()
export class StripePortalService {
  private readonly returnUrl = loadBillingConfig().returnUrl;

  constructor(
    @Inject(STRIPE) private readonly stripe: StripeClient | null,
    private readonly prisma: PrismaService,
  ) {}

  async open(tenantId: string): Promise<{ url: string }> {
    if (!this.stripe) throw BillingError.disabled();
    const tenant = await this.prisma.tenant.findUniqueOrThrow({ where: { id: tenantId } });
    if (!tenant.stripeCustomerId) throw BillingError.noAccount();
    const session = await this.stripe.billingPortal.sessions
      .create({ customer: tenant.stripeCustomerId, return_url: `${this.returnUrl}/billing` })
      .catch((e) => Promise.reject(BillingError.unavailable(e)));
    return { url: session.url };
  }
}
