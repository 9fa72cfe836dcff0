// node dist/libs/billing/src/cli/sync-prices.js  (STRIPE_SECRET_KEY, DATABASE_URL or DATA_DIR)
// Creates, when missing, the Stripe product, flat price and metered overage price of every
// public paid plan and stores their ids on the plans table. Safe to run again at any time.
import { loadConfig } from '@app/common';
import { createPrismaService } from '@app/db';
import { loadMeteringConfig } from '@app/metering';
import { loadBillingConfig } from '../billing.config';
import { syncStripePrices } from '../prices/stripe-price-sync';
import { createStripeClient } from '../stripe/stripe-client';

async function main(): Promise<void> {
  const stripe = createStripeClient(loadBillingConfig());
  if (!stripe) throw new Error('STRIPE_SECRET_KEY is not set: there is no Stripe account to create prices in');
  const prisma = await createPrismaService(loadConfig());
  try {
    const rows = await syncStripePrices(prisma, stripe, loadMeteringConfig().STRIPE_METER_EVENT_NAME);
    console.table(rows.map((r) => ({ ...r, created: r.created.join(' ') || '-' })));
  } finally {
    await prisma.$disconnect();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
