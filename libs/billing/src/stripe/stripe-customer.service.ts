import { Inject, Injectable } from '@nestjs/common';
import { PrismaService } from '@app/db';
import { BillingError } from '../billing.error';
import { STRIPE, type StripeClient } from './stripe-client';

/** One Stripe customer per tenant, created on first need and remembered on the tenant. */
@Injectable()
export class StripeCustomerService {
  constructor(
    @Inject(STRIPE) private readonly stripe: StripeClient | null,
    private readonly prisma: PrismaService,
  ) {}

  async ensure(tenantId: string): Promise<string> {
    if (!this.stripe) throw BillingError.disabled();
    // Tenant is the tenancy root, looked up by the caller's own tenant id.
    const tenant = await this.prisma.tenant.findUniqueOrThrow({ where: { id: tenantId } });
    if (tenant.stripeCustomerId) return tenant.stripeCustomerId;
    // The idempotency key makes two concurrent first checkouts create one customer.
    const customer = await this.stripe.customers
      .create({ name: tenant.name, metadata: { tenantId } }, { idempotencyKey: `customer-${tenantId}` })
      .catch((e) => Promise.reject(BillingError.unavailable(e)));
    await this.prisma.tenant.updateMany({
      where: { id: tenantId, stripeCustomerId: null },
      data: { stripeCustomerId: customer.id },
    });
    return customer.id;
  }
}
