import { Prisma } from '@app/db';

/**
 * The tenant a Stripe object belongs to: by the customer id we stored (authoritative), else by
 * the tenantId we put in its metadata when we created it (signed by Stripe with the event).
 */
export async function tenantOfCustomer(
  tx: Prisma.TransactionClient,
  customerId: string | null | undefined,
  metadataTenantId?: string | null,
): Promise<string | null> {
  if (customerId) {
    const t = await tx.tenant.findUnique({ where: { stripeCustomerId: customerId }, select: { id: true } });
    if (t) return t.id;
  }
  if (metadataTenantId) {
    const t = await tx.tenant.findUnique({
      where: { id: metadataTenantId },
      select: { id: true, stripeCustomerId: true },
    });
    if (t && (!t.stripeCustomerId || t.stripeCustomerId === customerId)) return t.id;
  }
  return null;
}

export const idOf = (v: string | { id: string } | null | undefined): string | null =>
  typeof v === 'string' ? v : (v?.id ?? null);
