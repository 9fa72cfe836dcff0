import { Injectable } from '@nestjs/common';
import { AuditService, type AuditEntry } from '@app/audit';
import { PrismaService } from '@app/db';
import { billingPeriodOf } from '../billing-period';
import { BudgetStatus } from '../dto/quota-status.type';
import { QuotaError, QuotaErrorReason } from '../quota.error';

/** $1,000,000 a month: anything above is a typo (an extra digit or dollars typed as cents). */
export const MAX_BUDGET_CENTS = 100_000_000;

/**
 * A tenant's monthly spend budget (tenants.budgetCents). QuotaService.reserve enforces it on
 * overage plans and BudgetAlertService alerts at 50/80/100%; this sets and reports it.
 */
@Injectable()
export class BudgetService {
  constructor(
    private readonly prisma: PrismaService,
    private readonly audit: AuditService,
  ) {}

  async set(
    tenantId: string,
    cents: number | null,
    who: Pick<AuditEntry, 'actor' | 'requestId'>,
  ): Promise<BudgetStatus | null> {
    if (cents !== null && (!Number.isSafeInteger(cents) || cents < 0 || cents > MAX_BUDGET_CENTS)) {
      throw QuotaError.badInput(
        `cents: a whole number of cents from 0 to ${MAX_BUDGET_CENTS}, or null to remove the budget`,
        { field: 'cents', max: MAX_BUDGET_CENTS },
        QuotaErrorReason.INVALID_BUDGET,
      );
    }
    await this.prisma.$transaction(async (tx) => {
      // Tenant is the tenancy root: locked by the caller's own id so concurrent changes audit a true `from`.
      const [row] = await tx.$queryRaw<
        { budgetCents: bigint | null }[]
      >`SELECT "budgetCents" FROM tenants WHERE id = ${tenantId} FOR UPDATE`;
      const from = row?.budgetCents == null ? null : Number(row.budgetCents);
      await tx.tenant.update({ where: { id: tenantId }, data: { budgetCents: cents === null ? null : BigInt(cents) } });
      await this.audit.append(tx, tenantId, {
        ...who,
        action: 'billing.budget_set',
        target: { type: 'tenant', id: tenantId },
        metadata: { from, to: cents },
      });
    });
    return this.status(tenantId);
  }

  /** Budget, spend so far this period and alerts already sent; null without a budget. */
  async status(tenantId: string): Promise<BudgetStatus | null> {
    const period = billingPeriodOf();
    // Tenant is the tenancy root; quota_counters and budget_alerts are read by this tenant's id.
    const tenant = await this.prisma.tenant.findUniqueOrThrow({ where: { id: tenantId }, include: { plan: true } });
    if (tenant.budgetCents === null) return null;
    const counter = await this.prisma.quotaCounter.findUnique({
      where: { tenantId_periodStart: { tenantId, periodStart: period.start } },
    });
    const alerts = await this.prisma.budgetAlert.findMany({
      where: { tenantId, periodStart: period.start },
      orderBy: { threshold: 'asc' },
    });
    const overUnits = Math.max(0, Number(counter?.unitsUsed ?? 0n) - Number(tenant.plan.monthlyIncludedUnits));
    return {
      budgetCents: Number(tenant.budgetCents),
      spentCents: (overUnits * Number(tenant.plan.overageMicrosPerUnit)) / 10_000,
      alertsSent: alerts.map((a) => a.threshold),
    };
  }
}
