import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { MetricsService } from '@app/common';
import { Prisma, PrismaService } from '@app/db';
import { billingPeriodOf, secondsUntil } from './billing-period';
import { BudgetAlertService } from './budget/budget-alert.service';
import { QuotaError, QuotaErrorReason } from './quota.error';
import type { QuotaReservation } from './quota-reservation';
import { INCLUDED_UNITS, allowanceStarted, includedUnitsOf } from './free-allowance';

const DEFAULT_TTL_MS = 60 * 60 * 1000;
const SWEEP_EVERY_MS = 60 * 1000;

/**
 * Monthly units, enforced in PostgreSQL so that no number of API instances can overspend:
 * reserve() is ONE conditional UPDATE (used + reserved + n <= included, or within budget for
 * overage plans) that inserts the reservation row in the same statement. Row locking re-checks
 * the condition for every concurrent writer, so with 10 units left exactly 10 one-unit
 * reservations succeed. settle() and release() delete the reservation row first, so each runs
 * its counter change at most once, and settle() rolls back with the usage transaction.
 *
 * The queries here touch tenant-owned tables through the unscoped client: each statement
 * names the tenant id it was given explicitly (raw SQL is not covered by the scope extension).
 */
@Injectable()
export class QuotaService implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('Quota');
  private sweeper?: NodeJS.Timeout;
  private readonly knownCounters = new Set<string>();

  constructor(
    private readonly prisma: PrismaService,
    private readonly alerts: BudgetAlertService,
    private readonly metrics: MetricsService,
  ) {}

  onModuleInit(): void {
    this.sweeper = setInterval(
      () => void this.sweepExpired().catch((e) => this.log.warn(`sweep failed: ${e.message}`)),
      SWEEP_EVERY_MS,
    );
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    if (this.sweeper) clearInterval(this.sweeper);
  }

  async reserve(tenantId: string, units: number, options: { ttlMs?: number } = {}): Promise<QuotaReservation> {
    if (!Number.isInteger(units) || units < 0)
      throw QuotaError.badInput('units must be a non-negative integer', { units }, QuotaErrorReason.INVALID_UNITS);
    const period = billingPeriodOf();
    const id = `qr_${randomUUID()}`;
    const expiresAt = new Date(Date.now() + (options.ttlMs ?? DEFAULT_TTL_MS));
    // The period's counter row must exist for the conditional UPDATE below; once this process
    // has made sure of it, later reservations skip that round trip (rows are never deleted).
    const counterKey = `${tenantId}|${period.start.toISOString()}`;
    if (!this.knownCounters.has(counterKey)) {
      await this.prisma.$executeRaw`
        INSERT INTO quota_counters ("tenantId", "periodStart", "unitsUsed", "unitsReserved", "updatedAt")
        VALUES (${tenantId}, ${period.start}, 0, 0, now()) ON CONFLICT DO NOTHING`;
      if (this.knownCounters.size >= 100_000) this.knownCounters.clear();
      this.knownCounters.add(counterKey);
    }
    const n = BigInt(units);
    // Budget: overage spend in micros (units over the included ones x price) must stay within
    // budgetCents x 10,000. Hard-cap plans have no overage, so only the unit cap applies.
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      WITH upd AS (
        UPDATE quota_counters q SET "unitsReserved" = q."unitsReserved" + ${n}, "updatedAt" = now()
        FROM tenants t JOIN plans p ON p.id = t."planId"
        WHERE q."tenantId" = ${tenantId} AND q."periodStart" = ${period.start} AND t.id = q."tenantId"
          AND CASE WHEN p."hardCap" THEN q."unitsUsed" + q."unitsReserved" + ${n} <= ${INCLUDED_UNITS}
                   ELSE t."budgetCents" IS NULL
                     OR GREATEST(0, q."unitsUsed" + q."unitsReserved" + ${n} - ${INCLUDED_UNITS}) * p."overageMicrosPerUnit" <= t."budgetCents" * 10000
              END
        RETURNING q."tenantId")
      INSERT INTO quota_reservations (id, "tenantId", "periodStart", units, "expiresAt")
      SELECT ${id}, "tenantId", ${period.start}, ${n}, ${expiresAt} FROM upd
      RETURNING id`;
    if (rows.length === 1) return { id, tenantId, periodStart: period.start, periodEnd: period.end, units };
    throw await this.refusal(tenantId, units, period.end);
  }

  async settle(tx: Prisma.TransactionClient, reservation: QuotaReservation, actualUnits: number): Promise<void> {
    const cte = this.settleCte(reservation, actualUnits);
    const fired = await tx.$queryRaw<{ threshold: number }[]>`WITH ${cte.ctes} SELECT threshold FROM budget_fired`;
    this.alerts.report(reservation.tenantId, fired);
  }

  /**
   * settle() as data-modifying CTEs (quota_del, quota_cnt, budget_spend, budget_fired), for a
   * caller that commits the usage and the settle in ONE statement. `onlyIf` (an SQL condition
   * over the caller's CTEs) decides whether anything is settled; `thresholds` is the int[] of
   * budget thresholds crossed.
   */
  settleCte(
    reservation: QuotaReservation,
    actualUnits: number,
    options: { onlyIf?: Prisma.Sql } = {},
  ): { ctes: Prisma.Sql; thresholds: Prisma.Sql } {
    if (!Number.isInteger(actualUnits) || actualUnits < 0)
      throw QuotaError.badInput(
        'units must be a non-negative integer',
        { actualUnits },
        QuotaErrorReason.INVALID_UNITS,
      );
    const actual = BigInt(actualUnits);
    const onlyIf = options.onlyIf ?? Prisma.sql`TRUE`;
    // One statement: every request of the tenant updates this counter row, and its lock is held
    // until the usage commits, so each extra round trip here is paid by the queue.
    // A reservation already swept still counts what was used (del is empty, nothing released).
    const ctes = Prisma.sql`quota_del AS (DELETE FROM quota_reservations WHERE id = ${reservation.id} AND (${onlyIf}) RETURNING units),
      quota_cnt AS (
        INSERT INTO quota_counters ("tenantId", "periodStart", "unitsUsed", "unitsReserved", "updatedAt")
        SELECT ${reservation.tenantId}, ${reservation.periodStart}, ${actual}, 0, now() WHERE (${onlyIf})
        ON CONFLICT ("tenantId", "periodStart") DO UPDATE
          SET "unitsUsed" = quota_counters."unitsUsed" + ${actual},
              "unitsReserved" = GREATEST(0, quota_counters."unitsReserved" - COALESCE((SELECT units FROM quota_del), 0)), "updatedAt" = now()
        RETURNING "unitsUsed"),
      ${this.alerts.thresholdCtes(reservation.tenantId, reservation.periodStart)}`;
    return { ctes, thresholds: Prisma.sql`ARRAY(SELECT threshold FROM budget_fired)` };
  }

  async release(reservation: QuotaReservation): Promise<void> {
    await this.prisma.$executeRaw`
      WITH del AS (DELETE FROM quota_reservations WHERE id = ${reservation.id} RETURNING "tenantId", "periodStart", units)
      UPDATE quota_counters q SET "unitsReserved" = GREATEST(0, q."unitsReserved" - del.units), "updatedAt" = now()
      FROM del WHERE q."tenantId" = del."tenantId" AND q."periodStart" = del."periodStart"`;
  }

  /** Returns reservations whose holder never settled nor released them (a crashed process). */
  async sweepExpired(now = new Date()): Promise<number> {
    const n = await this.prisma.$executeRaw`
      WITH del AS (DELETE FROM quota_reservations WHERE "expiresAt" < ${now} RETURNING "tenantId", "periodStart", units),
           sums AS (SELECT "tenantId", "periodStart", SUM(units) AS units FROM del GROUP BY 1, 2)
      UPDATE quota_counters q SET "unitsReserved" = GREATEST(0, q."unitsReserved" - sums.units), "updatedAt" = now()
      FROM sums WHERE q."tenantId" = sums."tenantId" AND q."periodStart" = sums."periodStart"`;
    if (n > 0) this.log.warn(`returned expired quota reservations of ${n} tenant period(s)`);
    return n;
  }

  /** The QUOTA_EXCEEDED error for a refused take (the plan's cap or the tenant's budget). */
  async refusal(tenantId: string, units: number, periodEnd: Date): Promise<QuotaError> {
    const tenant = await this.prisma.tenant.findUnique({ where: { id: tenantId }, include: { plan: true } });
    const waiting = tenant ? !allowanceStarted(tenant) : false;
    const reason = waiting
      ? QuotaErrorReason.EMAIL_NOT_VERIFIED
      : tenant?.plan.hardCap === false
        ? QuotaErrorReason.BUDGET_EXCEEDED
        : QuotaErrorReason.MONTHLY_QUOTA_EXCEEDED;
    this.metrics
      .counter('quota_refusals_total', 'Reservations refused by the monthly quota or budget', ['reason'])
      .inc({ reason });
    return QuotaError.quotaExceeded(reason, secondsUntil(periodEnd), {
      requested: units,
      plan: tenant?.planId,
      unitsIncluded: tenant ? includedUnitsOf(tenant) : undefined,
      periodEnd: periodEnd.toISOString(),
    });
  }
}
