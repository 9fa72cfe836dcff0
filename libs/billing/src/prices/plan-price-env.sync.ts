import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { PrismaService } from '@app/db';
import { planPricesFromEnv } from './plan-price-env';

/**
 * Writes the operator's STRIPE_PRICE_<PLAN> / STRIPE_METERED_PRICE_<PLAN> to the plans table at
 * start, so checkout can sell those plans. Idempotent: only a differing value is written, so
 * every instance may run it. A variable naming an unknown plan stops the start.
 */
@Injectable()
export class PlanPriceEnvSync implements OnApplicationBootstrap {
  private readonly log = new Logger('PlanPrices');

  // Plans are a global catalogue, not tenant-owned.
  constructor(private readonly prisma: PrismaService) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.apply(planPricesFromEnv());
  }

  async apply(prices: ReturnType<typeof planPricesFromEnv>): Promise<number> {
    let changed = 0;
    for (const [planId, ids] of prices) {
      const plan = await this.prisma.plan.findUnique({ where: { id: planId } });
      if (!plan) throw new Error(`STRIPE_PRICE_${planId.toUpperCase()}: there is no plan "${planId}"`);
      const data = Object.fromEntries(Object.entries(ids).filter(([k, v]) => plan[k as keyof typeof ids] !== v));
      if (Object.keys(data).length === 0) continue;
      await this.prisma.plan.update({ where: { id: planId }, data });
      this.log.log(`plan ${planId}: Stripe prices set from the environment (${Object.keys(data).join(', ')})`);
      changed++;
    }
    return changed;
  }
}
