import type { PrismaClient } from '@app/db';
import type { StripeClient } from '../stripe/stripe-client';

export interface ReconcileRow {
  tenantId: string;
  customerId: string | null;
  ledgerUnits: number;
  outboxSentUnits: number;
  outboxPendingUnits: number;
  outboxDeadUnits: number;
  stripeUnits: number | null;
  /** stripe - ledger: negative = under-billed (pending or dead rows), positive = over-billed. */
  difference: number | null;
}

/**
 * Compares, per billed tenant and period [from, to), the ledger (usage_records), what the outbox
 * says it sent, and what Stripe aggregated (billing.meters.listEventSummaries). Reads every
 * tenant: an operator's tool, never reachable from the API.
 */
export async function reconcileUsage(
  db: Pick<PrismaClient, '$queryRaw'>,
  stripe: StripeClient | null,
  eventName: string,
  from: Date,
  to: Date,
): Promise<ReconcileRow[]> {
  const rows = await db.$queryRaw<
    { tenantId: string; customerId: string | null; ledger: bigint; sent: bigint; pending: bigint; dead: bigint }[]
  >`
    SELECT t.id AS "tenantId", t."stripeCustomerId" AS "customerId",
      COALESCE((SELECT SUM(units) FROM usage_records u WHERE u."tenantId" = t.id AND u."occurredAt" >= ${from} AND u."occurredAt" < ${to}), 0)::bigint AS ledger,
      COALESCE(SUM(o.value) FILTER (WHERE o.status = 'SENT'), 0)::bigint AS sent,
      COALESCE(SUM(o.value) FILTER (WHERE o.status = 'PENDING'), 0)::bigint AS pending,
      COALESCE(SUM(o.value) FILTER (WHERE o.status = 'DEAD'), 0)::bigint AS dead
    FROM tenants t JOIN meter_event_outbox o ON o."tenantId" = t.id AND o.timestamp >= ${from} AND o.timestamp < ${to}
    GROUP BY t.id, t."stripeCustomerId" ORDER BY t.id`;
  const meter = stripe
    ? (await stripe.billing.meters.list({ limit: 100 })).data.find((m) => m.event_name === eventName)
    : undefined;
  const out: ReconcileRow[] = [];
  for (const r of rows) {
    let stripeUnits: number | null = null;
    if (stripe && meter && r.customerId) {
      stripeUnits = 0;
      const params = {
        customer: r.customerId,
        start_time: Math.floor(from.getTime() / 1000),
        end_time: Math.ceil(to.getTime() / 1000),
      };
      for await (const s of stripe.billing.meters.listEventSummaries(meter.id, params))
        stripeUnits += s.aggregated_value;
    }
    const ledgerUnits = Number(r.ledger);
    out.push({
      tenantId: r.tenantId,
      customerId: r.customerId,
      ledgerUnits,
      outboxSentUnits: Number(r.sent),
      outboxPendingUnits: Number(r.pending),
      outboxDeadUnits: Number(r.dead),
      stripeUnits,
      difference: stripeUnits === null ? null : stripeUnits - ledgerUnits,
    });
  }
  return out;
}
