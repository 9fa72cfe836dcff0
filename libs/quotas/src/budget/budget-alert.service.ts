import { Injectable, Logger } from '@nestjs/common';
import { MetricsService } from '@app/common';
import { Prisma } from '@app/db';
import { BudgetAlertMailer } from './budget-alert-mailer';

export const BUDGET_THRESHOLDS = [50, 80, 100] as const;

/**
 * Budget alerts at 50/80/100% of a tenant's monthly budget. Spend is what usage adds to the
 * bill: overage units (over the included ones) x the unit price; the flat plan price is not
 * counted, so a budget below it still means something. QuotaService.reserve enforces the same sum. Each threshold fires once per period:
 * the budget_alerts primary key makes a concurrent second crossing a no-op.
 */
@Injectable()
export class BudgetAlertService {
  private readonly log = new Logger('BudgetAlerts');

  constructor(
    private readonly metrics: MetricsService,
    private readonly mailer: BudgetAlertMailer,
  ) {}

  async checkThresholds(tx: Prisma.TransactionClient, tenantId: string, periodStart: Date): Promise<number[]> {
    // Explicit tenantId on tenant-owned tables; raw SQL is outside the scope extension.
    const fired = await tx.$queryRaw<{ threshold: number }[]>`
      WITH quota_cnt AS (SELECT "unitsUsed" FROM quota_counters WHERE "tenantId" = ${tenantId} AND "periodStart" = ${periodStart}),
      ${this.thresholdCtes(tenantId, periodStart)}
      SELECT threshold FROM budget_fired`;
    return this.report(tenantId, fired);
  }

  /**
   * CTEs that record newly crossed thresholds (budget_spend, budget_fired: RETURNING threshold),
   * given a CTE `quota_cnt` with the period's "unitsUsed": QuotaService folds them into its
   * settle statement.
   */
  thresholdCtes(tenantId: string, periodStart: Date): Prisma.Sql {
    return Prisma.sql`budget_spend AS (
        SELECT t."budgetCents" AS budget,
               GREATEST(0, quota_cnt."unitsUsed" - p."monthlyIncludedUnits") * p."overageMicrosPerUnit" AS micros
        FROM quota_cnt, tenants t JOIN plans p ON p.id = t."planId"
        WHERE t.id = ${tenantId} AND t."budgetCents" IS NOT NULL AND t."budgetCents" > 0),
      budget_fired AS (
        INSERT INTO budget_alerts ("tenantId", "periodStart", threshold)
        SELECT ${tenantId}, ${periodStart}, th FROM budget_spend, unnest(${[...BUDGET_THRESHOLDS]}::int[]) AS th
        WHERE budget_spend.micros * 100 >= budget_spend.budget * 10000 * th
        ON CONFLICT DO NOTHING
        RETURNING threshold)`;
  }

  /**
   * The batch twin of thresholdCtes, given a CTE `cnt(tid, ps, used)` with each settled tenant
   * period's new "unitsUsed": QuotaLeases folds it into its settle statement. Yields
   * budget_fired ("tenantId", threshold).
   */
  thresholdBatchCtes(): Prisma.Sql {
    return Prisma.sql`budget_spend AS (
        SELECT cnt.tid, cnt.ps, t."budgetCents" AS budget,
               GREATEST(0, cnt.used - p."monthlyIncludedUnits") * p."overageMicrosPerUnit" AS micros
        FROM cnt JOIN tenants t ON t.id = cnt.tid JOIN plans p ON p.id = t."planId"
        WHERE t."budgetCents" IS NOT NULL AND t."budgetCents" > 0),
      budget_fired AS (
        INSERT INTO budget_alerts ("tenantId", "periodStart", threshold)
        SELECT budget_spend.tid, budget_spend.ps, th FROM budget_spend, unnest(${[...BUDGET_THRESHOLDS]}::int[]) AS th
        WHERE budget_spend.micros * 100 >= budget_spend.budget * 10000 * th
        ON CONFLICT DO NOTHING
        RETURNING "tenantId", threshold)`;
  }

  report(tenantId: string, fired: { threshold: number }[]): number[] {
    for (const { threshold } of fired) {
      this.metrics
        .counter('budget_alerts_total', 'Budget thresholds crossed', ['threshold'])
        .inc({ threshold: String(threshold) });
      this.log.warn(`tenant ${tenantId} reached ${threshold}% of its monthly budget`);
      this.mailer.notify(tenantId, Number(threshold));
    }
    return fired.map((f) => Number(f.threshold));
  }
}
