import { Injectable } from '@nestjs/common';
import { AppError, TtlCache } from '@app/common';
import { PrismaService } from '@app/db';

export interface PlanLimits {
  planId: string;
  planName: string;
  requestsPerMinutePerKey: number;
  requestsPerMinutePerTenant: number;
  maxConcurrentRequests: number;
  maxConcurrentJobs: number;
  monthlyIncludedUnits: number;
  hardCap: boolean;
}

const TTL_MS = 5_000;

/**
 * A tenant's plan limits for the hot path (every request's rate decision), cached in-process
 * for a few seconds: a plan change by webhook takes effect within TTL_MS on every instance.
 */
@Injectable()
export class PlanLimitsService {
  private readonly cache = new TtlCache<string, PlanLimits>({ ttlMs: TTL_MS });

  constructor(private readonly prisma: PrismaService) {}

  async forTenant(tenantId: string): Promise<PlanLimits> {
    const hit = this.cache.get(tenantId);
    if (hit) return hit;
    // Tenant is the tenancy root, not a tenant-owned table: looked up by the caller's own id.
    const tenant = await this.prisma.tenant.findUnique({ where: { id: tenantId }, include: { plan: true } });
    if (!tenant) throw AppError.notFound('tenant');
    const p = tenant.plan;
    const limits: PlanLimits = {
      planId: p.id,
      planName: p.name,
      requestsPerMinutePerKey: p.requestsPerMinutePerKey,
      requestsPerMinutePerTenant: p.requestsPerMinutePerTenant,
      maxConcurrentRequests: p.maxConcurrentRequests,
      maxConcurrentJobs: p.maxConcurrentJobs,
      monthlyIncludedUnits: Number(p.monthlyIncludedUnits),
      hardCap: p.hardCap,
    };
    this.cache.set(tenantId, limits);
    return limits;
  }

  /** After a plan change in this process (webhook), so that it applies at once here. */
  invalidate(tenantId: string): void {
    this.cache.delete(tenantId);
  }
}
