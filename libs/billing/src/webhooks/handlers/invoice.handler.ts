import { Injectable, Logger } from '@nestjs/common';
import type StripeType from 'stripe';
import { Prisma } from '@app/db';
import { idOf, tenantOfCustomer } from './tenant-of-customer';

const toDate = (s: number | null | undefined) => (s ? new Date(s * 1000) : null);

/** invoice.*: keeps the tenant's invoice list. A final status is never overwritten by an older open/draft one. */
@Injectable()
export class InvoiceHandler {
  private readonly log = new Logger('StripeWebhooks');

  async handle(
    tx: Prisma.TransactionClient,
    event: { type: string; data: { object: StripeType.Invoice } },
  ): Promise<void> {
    const inv = event.data.object;
    if (!inv.id) return;
    const tenantId = await tenantOfCustomer(tx, idOf(inv.customer), inv.metadata?.tenantId);
    if (!tenantId) return this.log.warn(`invoice ${inv.id}: no tenant for customer ${idOf(inv.customer)}`);
    const fields = {
      number: inv.number ?? null,
      status: inv.status ?? 'draft',
      currency: inv.currency ?? 'usd',
      amountDue: BigInt(inv.amount_due ?? 0),
      amountPaid: BigInt(inv.amount_paid ?? 0),
      hostedInvoiceUrl: inv.hosted_invoice_url ?? null,
      periodStart: toDate(inv.period_start),
      periodEnd: toDate(inv.period_end),
    };
    // Invoice ids are Stripe's, global: the tenant check keeps one tenant's id from touching another's row.
    await tx.$executeRaw`
      INSERT INTO invoices (id, "tenantId", number, status, currency, "amountDue", "amountPaid", "hostedInvoiceUrl", "periodStart", "periodEnd", "createdAt", "updatedAt")
      VALUES (${inv.id}, ${tenantId}, ${fields.number}, ${fields.status}, ${fields.currency}, ${fields.amountDue}, ${fields.amountPaid}, ${fields.hostedInvoiceUrl},
              ${fields.periodStart}, ${fields.periodEnd}, ${toDate(inv.created) ?? new Date()}, now())
      ON CONFLICT (id) DO UPDATE SET number = EXCLUDED.number, status = EXCLUDED.status, "amountDue" = EXCLUDED."amountDue", "amountPaid" = EXCLUDED."amountPaid",
        "hostedInvoiceUrl" = EXCLUDED."hostedInvoiceUrl", "updatedAt" = now()
      WHERE invoices."tenantId" = EXCLUDED."tenantId"
        AND NOT (invoices.status IN ('paid', 'void', 'uncollectible') AND EXCLUDED.status IN ('draft', 'open'))`;
  }
}
