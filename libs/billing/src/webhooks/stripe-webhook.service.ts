import { Inject, Injectable, Logger } from '@nestjs/common';
import type StripeType from 'stripe';
import { APP_CONFIG, AppError, type AppConfig, MetricsService } from '@app/common';
import { PrismaService } from '@app/db';
import { BillingError } from '../billing.error';
import { CheckoutSessionHandler } from './handlers/checkout-session.handler';
import { InvoiceHandler } from './handlers/invoice.handler';
import { SubscriptionHandler } from './handlers/subscription.handler';

// The signature helpers need no API key; a placeholder keeps webhooks working without one.
// Made on the first delivery, not at start: a cold start does not load the SDK.
const StripeCtor = (): typeof StripeType => require('stripe').default ?? require('stripe');

/**
 * Verifies (signature over the raw bytes, 5 minute tolerance: a stale replay fails), then applies
 * each event once: the stripe_events row and the event's effects commit in one transaction, so a
 * replay finds the row and changes nothing, and a failure leaves no row for Stripe's retry.
 */
@Injectable()
export class StripeWebhookService {
  private readonly log = new Logger('StripeWebhooks');
  private client?: StripeType;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly prisma: PrismaService,
    private readonly subscriptions: SubscriptionHandler,
    private readonly checkouts: CheckoutSessionHandler,
    private readonly invoices: InvoiceHandler,
    private readonly metrics: MetricsService,
  ) {}

  private get stripe(): StripeType {
    return (this.client ??= new (StripeCtor())(this.config.STRIPE_SECRET_KEY || 'sk_webhooks_only'));
  }

  verify(raw: Buffer | undefined, signature: string | undefined): StripeType.Event {
    if (!this.config.STRIPE_WEBHOOK_SECRET) throw BillingError.disabled();
    if (!raw || !signature)
      throw AppError.badInput('missing body or Stripe-Signature header', undefined, 'WEBHOOK_SIGNATURE_INVALID');
    try {
      return this.stripe.webhooks.constructEvent(raw, signature, this.config.STRIPE_WEBHOOK_SECRET, 300);
    } catch {
      this.metrics
        .counter('stripe_webhooks_total', 'Stripe webhook deliveries by outcome', ['outcome'])
        .inc({ outcome: 'bad_signature' });
      throw AppError.badInput('invalid or stale Stripe signature', undefined, 'WEBHOOK_SIGNATURE_INVALID');
    }
  }

  /** false when the event was seen before (a replay or a redelivery). */
  async apply(event: StripeType.Event): Promise<boolean> {
    const created = new Date(event.created * 1000);
    const applied = await this.prisma.$transaction(async (tx) => {
      const fresh = await tx.$queryRaw<{ id: string }[]>`
        INSERT INTO stripe_events (id, type, created, "processedAt") VALUES (${event.id}, ${event.type}, ${created}, now())
        ON CONFLICT (id) DO NOTHING RETURNING id`;
      if (fresh.length === 0) return false;
      if (event.type.startsWith('customer.subscription.'))
        await this.subscriptions.handle(tx, event as StripeType.CustomerSubscriptionUpdatedEvent, created);
      else if (event.type === 'checkout.session.completed')
        await this.checkouts.handle(tx, event as StripeType.CheckoutSessionCompletedEvent, created);
      else if (event.type.startsWith('invoice.')) await this.invoices.handle(tx, event as StripeType.InvoicePaidEvent);
      else this.log.debug?.(`ignored ${event.type}`);
      return true;
    });
    this.metrics
      .counter('stripe_webhooks_total', 'Stripe webhook deliveries by outcome', ['outcome'])
      .inc({ outcome: applied ? 'applied' : 'duplicate' });
    return applied;
  }
}
