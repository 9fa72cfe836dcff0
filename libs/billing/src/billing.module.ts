import { Global, Module } from '@nestjs/common';
import { MetricsService } from '@app/common';
import { PrismaService } from '@app/db';
import { loadBillingConfig } from './billing.config';
import { BillingResolver } from './billing.resolver';
import { MeterEventFlusher } from './outbox/meter-event-flusher';
import { PlanPriceEnvSync } from './prices/plan-price-env.sync';
import { STRIPE, createStripeClient, type StripeClient } from './stripe/stripe-client';
import { StripeCheckoutService } from './stripe/stripe-checkout.service';
import { StripeCustomerService } from './stripe/stripe-customer.service';
import { StripePortalService } from './stripe/stripe-portal.service';
import { CheckoutSessionHandler } from './webhooks/handlers/checkout-session.handler';
import { InvoiceHandler } from './webhooks/handlers/invoice.handler';
import { SubscriptionHandler } from './webhooks/handlers/subscription.handler';
import { SubscriptionStateService } from './webhooks/handlers/subscription-state';
import { RawBodyHook } from './webhooks/raw-body.hook';
import { StripeWebhookController } from './webhooks/stripe-webhook.controller';
import { StripeWebhookService } from './webhooks/stripe-webhook.service';

/**
 * Stripe billing. STRIPE (the SDK client) and MeterEventFlusher are null without
 * STRIPE_SECRET_KEY: usage is then only kept in the ledger. The worker gets the flusher from
 * here and calls start()/stop(); nothing in a customer's request calls Stripe for usage.
 */
@Global()
@Module({
  controllers: [StripeWebhookController],
  providers: [
    { provide: STRIPE, useFactory: () => createStripeClient(loadBillingConfig()) },
    {
      provide: MeterEventFlusher,
      inject: [PrismaService, STRIPE, MetricsService],
      useFactory: (prisma: PrismaService, stripe: StripeClient | null, metrics: MetricsService) =>
        stripe ? new MeterEventFlusher(prisma, stripe, loadBillingConfig(), metrics) : null,
    },
    PlanPriceEnvSync,
    StripeCustomerService,
    StripeCheckoutService,
    StripePortalService,
    BillingResolver,
    RawBodyHook,
    StripeWebhookService,
    SubscriptionStateService,
    SubscriptionHandler,
    CheckoutSessionHandler,
    InvoiceHandler,
  ],
  exports: [STRIPE, MeterEventFlusher, StripeCustomerService],
})
export class BillingModule {}
