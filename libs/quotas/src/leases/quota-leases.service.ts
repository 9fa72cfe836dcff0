import { randomUUID } from 'node:crypto';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Prisma, PrismaService } from '@app/db';
import { billingPeriodOf } from '../billing-period';
import { BudgetAlertService } from '../budget/budget-alert.service';
import { QuotaService } from '../quota.service';
import { INCLUDED_UNITS } from '../free-allowance';

/** Units taken from a process's lease for one prediction: settle them in the ledger batch or give them back. */
export interface QuotaTicket {
  readonly leaseId: string;
  readonly tenantId: string;
  readonly periodStart: Date;
  readonly units: number;
}

/** One ticket's settlement: the units the prediction actually used (<= the ticket's). */
export interface QuotaSettlement {
  ticket: QuotaTicket;
  used: number;
}

interface Lease {
  id: string;
  tenantId: string;
  periodStart: Date;
  /** Leased and not yet handed out. */
  available: number;
  /** Units handed out in the current second, to size the next block. */
  demand: number;
  lastTakeAt: number;
  refill?: Promise<void>;
}

const LEASE_TTL_MS = 60_000;
const IDLE_RETURN_MS = 1_000;
const MAX_BLOCK = 10_000;

/**
 * Monthly units without a database round trip per prediction: each process leases a block of
 * the tenant's units (a quota_reservations row, counted in the counter's unitsReserved, so no
 * number of processes can overspend), hands them out from memory, settles what was used in the
 * ledger's batch and returns what it did not use after a second idle or at shutdown. A crashed
 * process's lease lapses after LEASE_TTL_MS and QuotaService's sweeper returns it.
 *
 * The block follows demand (twice the last second's units, at least what is asked), and a
 * refill grants only what is left (never more than asked for the tail), so "10 units left,
 * 200 concurrent requests" still lets exactly 10 through across any number of processes.
 */
@Injectable()
export class QuotaLeases implements OnApplicationShutdown {
  private readonly log = new Logger('QuotaLeases');
  private readonly leases = new Map<string, Lease>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly prisma: PrismaService,
    private readonly quota: QuotaService,
    private readonly alerts: BudgetAlertService,
  ) {
    this.timer = setInterval(() => void this.returnIdle(), IDLE_RETURN_MS);
    this.timer.unref();
  }

  /** Takes `units` of the tenant's monthly quota; throws QUOTA_EXCEEDED when they are not there. */
  async take(tenantId: string, units: number): Promise<QuotaTicket> {
    const period = billingPeriodOf();
    for (;;) {
      const lease = this.leaseOf(tenantId, period.start);
      if (lease.available >= units) {
        lease.available -= units;
        lease.demand += units;
        lease.lastTakeAt = Date.now();
        return { leaseId: lease.id, tenantId, periodStart: lease.periodStart, units };
      }
      if (lease.refill) {
        await lease.refill;
        continue;
      }
      // A refusal always asks the counter (a refill), so units freed elsewhere, or an allowance
      // that started a moment ago, count at once; admission's rate limits bound how often.
      const refill = this.refill(lease, units);
      lease.refill = refill.then(() => undefined).finally(() => (lease.refill = undefined));
      if ((await refill) === 0) throw await this.quota.refusal(tenantId, units, period.end);
    }
  }

  /** A prediction that failed: its units go back to the lease (nothing was billed). */
  giveBack(ticket: QuotaTicket): void {
    const lease = this.leases.get(ticket.tenantId);
    if (lease && lease.id === ticket.leaseId) lease.available += ticket.units;
    else
      void this.unreserve([{ ticket, used: 0 }]).catch((e) => this.log.warn(`return failed: ${(e as Error).message}`));
  }

  /**
   * Inside the ledger's batch transaction: used units move from the leases' reserved to used;
   * unused units of a settlement return to memory once the batch committed (see `afterCommit`).
   * Returns the budget thresholds crossed, per tenant.
   */
  async settleBatch(
    tx: Prisma.TransactionClient,
    settlements: readonly QuotaSettlement[],
  ): Promise<Map<string, number[]>> {
    const perLease = new Map<string, { tenantId: string; periodStart: Date; used: number }>();
    for (const { ticket, used } of settlements) {
      const row = perLease.get(ticket.leaseId) ?? {
        tenantId: ticket.tenantId,
        periodStart: ticket.periodStart,
        used: 0,
      };
      row.used += used;
      perLease.set(ticket.leaseId, row);
    }
    const rows = [...perLease.entries()];
    if (rows.length === 0) return new Map();
    const expiresAt = new Date(Date.now() + LEASE_TTL_MS);
    // A lease already swept (its holder stalled past the TTL) gave its reserved units back: the
    // used units still count, but nothing more is taken off unitsReserved.
    const fired = await tx.$queryRaw<{ tenantId: string; threshold: number }[]>`
      WITH s AS (
        SELECT * FROM unnest(${rows.map(([id]) => id)}::text[], ${rows.map(([, r]) => r.tenantId)}::text[],
          ${rows.map(([, r]) => r.periodStart)}::timestamp(3)[], ${rows.map(([, r]) => r.used)}::bigint[]) AS s(id, tid, ps, used)),
      lease AS (
        UPDATE quota_reservations r SET units = GREATEST(0, r.units - s.used), "expiresAt" = ${expiresAt}::timestamp(3)
        FROM s WHERE r.id = s.id RETURNING r.id),
      agg AS (
        SELECT s.tid, s.ps, SUM(s.used) AS used, SUM(CASE WHEN lease.id IS NULL THEN 0 ELSE s.used END) AS unreserve
        FROM s LEFT JOIN lease ON lease.id = s.id GROUP BY s.tid, s.ps),
      cnt AS (
        UPDATE quota_counters q SET "unitsUsed" = q."unitsUsed" + agg.used,
          "unitsReserved" = GREATEST(0, q."unitsReserved" - agg.unreserve), "updatedAt" = now()
        FROM agg WHERE q."tenantId" = agg.tid AND q."periodStart" = agg.ps
        RETURNING q."tenantId" AS tid, q."periodStart" AS ps, q."unitsUsed" AS used),
      ${this.alerts.thresholdBatchCtes()}
      SELECT "tenantId", threshold FROM budget_fired`;
    const crossed = new Map<string, number[]>();
    for (const r of fired) crossed.set(r.tenantId, [...(crossed.get(r.tenantId) ?? []), Number(r.threshold)]);
    return crossed;
  }

  /** After the batch committed: the unused part of each ticket returns to its lease. */
  afterCommit(settlements: readonly QuotaSettlement[]): void {
    for (const { ticket, used } of settlements) {
      if (used < ticket.units) this.giveBack({ ...ticket, units: ticket.units - used });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.returnAll();
  }

  /** Returns every lease's unused units (shutdown, tests). */
  async returnAll(): Promise<void> {
    const leases = [...this.leases.values()];
    this.leases.clear();
    await Promise.all(leases.map((l) => l.refill?.catch(() => undefined)));
    await this.unreserve(leases.filter((l) => l.available > 0).map((l) => this.asReturn(l))).catch((e) =>
      this.log.warn(`returning leases failed: ${(e as Error).message}`),
    );
  }

  private leaseOf(tenantId: string, periodStart: Date): Lease {
    let lease = this.leases.get(tenantId);
    if (lease && lease.periodStart.getTime() !== periodStart.getTime()) {
      // A new billing month: the old lease's rest goes back to its own month.
      if (lease.available > 0) void this.unreserve([this.asReturn(lease)]).catch(() => undefined);
      lease = undefined;
    }
    if (!lease) {
      lease = {
        id: `ql_${randomUUID()}`,
        tenantId,
        periodStart,
        available: 0,
        demand: 0,
        lastTakeAt: Date.now(),
      };
      this.leases.set(tenantId, lease);
    }
    return lease;
  }

  /** Leases up to a block (at least `need`) from the counter; grants less when less is left. */
  private async refill(lease: Lease, need: number): Promise<number> {
    const want = Math.min(MAX_BLOCK, Math.max(need, 2 * lease.demand, 1));
    const expiresAt = new Date(Date.now() + LEASE_TTL_MS);
    // Lock order as in every writer of both tables (the ledger's settle, the sweeper): the lease
    // row, then the counter. Concurrent refills of other processes queue on the counter and see this grant.
    const granted = await this.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`
        INSERT INTO quota_reservations (id, "tenantId", "periodStart", units, "expiresAt")
        VALUES (${lease.id}, ${lease.tenantId}, ${lease.periodStart}, 0, ${expiresAt})
        ON CONFLICT (id) DO UPDATE SET "expiresAt" = EXCLUDED."expiresAt"`;
      await tx.$executeRaw`
        INSERT INTO quota_counters ("tenantId", "periodStart", "unitsUsed", "unitsReserved", "updatedAt")
        VALUES (${lease.tenantId}, ${lease.periodStart}, 0, 0, now()) ON CONFLICT DO NOTHING`;
      const [row] = await tx.$queryRaw<{ avail: bigint | null }[]>`
        SELECT CASE
                 WHEN p."hardCap" THEN ${INCLUDED_UNITS} - q."unitsUsed" - q."unitsReserved"
                 WHEN t."budgetCents" IS NULL OR p."overageMicrosPerUnit" = 0 THEN NULL
                 ELSE ${INCLUDED_UNITS} + (t."budgetCents"::bigint * 10000) / p."overageMicrosPerUnit" - q."unitsUsed" - q."unitsReserved"
               END AS avail
        FROM quota_counters q JOIN tenants t ON t.id = q."tenantId" JOIN plans p ON p.id = t."planId"
        WHERE q."tenantId" = ${lease.tenantId} AND q."periodStart" = ${lease.periodStart} FOR UPDATE OF q`;
      const avail = row?.avail === null || row?.avail === undefined ? (row ? want : 0) : Number(row.avail);
      if (avail < need) return 0;
      const n = Math.min(want, avail);
      await tx.$executeRaw`
        UPDATE quota_counters SET "unitsReserved" = "unitsReserved" + ${n}, "updatedAt" = now()
        WHERE "tenantId" = ${lease.tenantId} AND "periodStart" = ${lease.periodStart}`;
      await tx.$executeRaw`UPDATE quota_reservations SET units = units + ${n} WHERE id = ${lease.id}`;
      return n;
    });
    lease.available += granted;
    lease.demand = 0;
    return granted;
  }

  /** Leases idle for a second give their unused units back, so other processes can have them. */
  private async returnIdle(): Promise<void> {
    const now = Date.now();
    const idle: Lease[] = [];
    for (const lease of this.leases.values()) {
      lease.demand = 0;
      if (!lease.refill && now - lease.lastTakeAt >= IDLE_RETURN_MS) idle.push(lease);
    }
    for (const lease of idle) this.leases.delete(lease.tenantId);
    const returns = idle.filter((l) => l.available > 0).map((l) => this.asReturn(l));
    await this.unreserve(returns).catch((e) => this.log.warn(`returning idle leases failed: ${(e as Error).message}`));
  }

  private asReturn(lease: Lease): QuotaSettlement {
    const ticket = {
      leaseId: lease.id,
      tenantId: lease.tenantId,
      periodStart: lease.periodStart,
      units: lease.available,
    };
    lease.available = 0;
    return { ticket, used: 0 };
  }

  /** Gives unused units back to the counters (only as much as each lease row still holds). */
  private async unreserve(returns: readonly QuotaSettlement[]): Promise<void> {
    if (returns.length === 0) return;
    const back = returns.map((r) => r.ticket.units - r.used);
    await this.prisma.$executeRaw`
      WITH s AS (SELECT * FROM unnest(${returns.map((r) => r.ticket.leaseId)}::text[], ${back}::bigint[]) AS s(id, n)),
      lease AS (
        UPDATE quota_reservations r SET units = GREATEST(0, r.units - s.n)
        FROM s WHERE r.id = s.id RETURNING r."tenantId", r."periodStart", s.n),
      agg AS (SELECT "tenantId", "periodStart", SUM(n) AS n FROM lease GROUP BY 1, 2)
      UPDATE quota_counters q SET "unitsReserved" = GREATEST(0, q."unitsReserved" - agg.n), "updatedAt" = now()
      FROM agg WHERE q."tenantId" = agg."tenantId" AND q."periodStart" = agg."periodStart"`;
    await this.prisma
      .$executeRaw`DELETE FROM quota_reservations WHERE id = ANY(${returns.map((r) => r.ticket.leaseId)}::text[]) AND units = 0`;
  }
}
