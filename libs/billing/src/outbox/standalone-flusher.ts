import { loadConfig } from '@app/common';
import { createPrismaService, type PrismaService } from '@app/db';
import { loadBillingConfig } from '../billing.config';
import { createStripeClient } from '../stripe/stripe-client';
import { MeterEventFlusher } from './meter-event-flusher';

/**
 * A flusher outside Nest, from the environment (DATABASE_URL, STRIPE_SECRET_KEY, STRIPE_API_BASE,
 * METER_*): for one-shot runs, the chaos test's child process, or a worker without the app.
 */
export async function createStandaloneFlusher(): Promise<{ flusher: MeterEventFlusher; prisma: PrismaService }> {
  const billing = loadBillingConfig();
  const stripe = createStripeClient(billing);
  if (!stripe) throw new Error('STRIPE_SECRET_KEY is not set: nothing to flush to');
  const prisma = await createPrismaService(loadConfig());
  return { flusher: new MeterEventFlusher(prisma, stripe, billing), prisma };
}
