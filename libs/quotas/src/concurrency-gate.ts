import { Injectable } from '@nestjs/common';
import { PlanLimitsService } from './plan-limits.service';
import { QuotaError } from './quota.error';
import { QuotaLimiters } from './quota-limiters';
import type { ConcurrencyLease } from './rate-limit';

export type ConcurrencyKind = 'requests' | 'jobs';

/** A held slot: release it in a `finally`; long jobs call extend() as a heartbeat. */
export interface ConcurrencySlot {
  release(): Promise<void>;
  /** false when the slot had already lapsed (held past its TTL without a heartbeat). */
  extend(ttlMs?: number): Promise<boolean>;
}

const DEFAULT_TTL_MS: Record<ConcurrencyKind, number> = { requests: 2 * 60_000, jobs: 10 * 60_000 };

/**
 * Concurrent inference requests and jobs per tenant, per the plan. A slot lapses after its TTL
 * so that a crashed holder cannot leak it; jobs longer than 10 minutes must heartbeat.
 */
@Injectable()
export class ConcurrencyGate {
  constructor(
    private readonly limiters: QuotaLimiters,
    private readonly plans: PlanLimitsService,
  ) {}

  /** Throws RATE_LIMITED (CONCURRENT_REQUESTS_EXCEEDED / CONCURRENT_JOBS_EXCEEDED, retryAfter 1) when full. */
  async acquire(tenantId: string, kind: ConcurrencyKind, options: { ttlMs?: number } = {}): Promise<ConcurrencySlot> {
    const limits = await this.plans.forTenant(tenantId);
    const max = kind === 'jobs' ? limits.maxConcurrentJobs : limits.maxConcurrentRequests;
    const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS[kind];
    const decision = await this.limiters.concurrency.acquire(`${kind}:${tenantId}`, { max, ttlMs });
    if (!decision.acquired || !decision.lease) throw QuotaError.tooManyConcurrent(kind, max);
    const lease: ConcurrencyLease = decision.lease;
    let released = false;
    return {
      release: async () => {
        if (released) return;
        released = true;
        await this.limiters.concurrency.release(lease);
      },
      extend: (ms = ttlMs) => this.limiters.concurrency.extend(lease, ms),
    };
  }
}
