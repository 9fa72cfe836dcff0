// npm run billing:reconcile -- [--from 2026-11-01] [--to 2026-12-01]  (default: this month, UTC)
// Prints per billed tenant: ledger units, outbox sent/pending/dead, Stripe's meter summary and
// the difference. Exit code 2 when any tenant differs (for a cron alert).
import { loadConfig } from '@app/common';
import { createPrismaService } from '@app/db';
import { loadMeteringConfig } from '@app/metering';
import { loadBillingConfig } from '../billing.config';
import { reconcileUsage } from '../reconcile/reconcile-usage';
import { createStripeClient } from '../stripe/stripe-client';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const now = new Date();
  const from = new Date(arg('from') ?? Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const to = new Date(arg('to') ?? Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
  const prisma = await createPrismaService(loadConfig());
  const stripe = createStripeClient(loadBillingConfig());
  if (!stripe) console.warn('STRIPE_SECRET_KEY not set: showing the ledger and the outbox only');
  try {
    const rows = await reconcileUsage(prisma, stripe, loadMeteringConfig().STRIPE_METER_EVENT_NAME, from, to);
    console.log(`reconciliation ${from.toISOString()} .. ${to.toISOString()}`);
    console.table(rows);
    const off = rows.filter((r) => r.difference !== null && r.difference !== 0);
    console.log(off.length ? `${off.length} tenant(s) differ` : 'ledger and Stripe agree');
    process.exitCode = off.length ? 2 : 0;
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
