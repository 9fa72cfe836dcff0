import { Context, Query, Resolver } from '@nestjs/graphql';
import { PrismaService } from '@app/db';
import { CurrentTenant, RequirePermission } from '@app/auth';
import { billingPeriodOf } from './billing-period';
import { BudgetService } from './budget/budget.service';
import type { RateLimitedRequest } from './http/rate-limit.interceptor';
import { QuotaStatus } from './dto/quota-status.type';
import { includedUnitsOf } from './free-allowance';

@Resolver(() => QuotaStatus)
export class QuotaResolver {
  constructor(
    private readonly prisma: PrismaService,
    private readonly budgets: BudgetService,
  ) {}

  @RequirePermission('usage:read')
  @Query(() => QuotaStatus, { description: 'Where the current tenant stands this billing period' })
  async quota(@CurrentTenant() tenantId: string, @Context('req') req: RateLimitedRequest): Promise<QuotaStatus> {
    const period = billingPeriodOf();
    // Tenant is the tenancy root; quota_counters and budget_alerts are read by this tenant's id.
    const tenant = await this.prisma.tenant.findUniqueOrThrow({ where: { id: tenantId }, include: { plan: true } });
    const counter = await this.prisma.quotaCounter.findUnique({
      where: { tenantId_periodStart: { tenantId, periodStart: period.start } },
    });
    const used = Number(counter?.unitsUsed ?? 0n);
    const included = includedUnitsOf(tenant);
    const budget = tenant.budgetCents === null ? null : await this.budgets.status(tenantId);
    const d = req?.rateLimit;
    return {
      plan: tenant.planId,
      period,
      unitsIncluded: included,
      unitsUsed: used,
      unitsReserved: Number(counter?.unitsReserved ?? 0n),
      hardCap: tenant.plan.hardCap,
      rateLimit: d ? { limit: d.limit, remaining: Math.max(0, d.remaining), resetAt: new Date(d.resetAt) } : null,
      budget,
    };
  }
}
