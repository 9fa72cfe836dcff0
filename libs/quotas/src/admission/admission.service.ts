import { Injectable } from '@nestjs/common';
import type { Principal } from '@app/auth';
import { PlanLimitsService } from '../plan-limits.service';
import { QuotaError, QuotaErrorReason } from '../quota.error';
import { QuotaLimiters } from '../quota-limiters';
import type { RateLimitDecision } from '../rate-limit';
import type { AdmissionDecision } from './admission';

const MINUTE_MS = 60_000;
const SLOT_TTL_MS = 2 * 60_000;

/** An admitted request: its rate decision (for headers) and, for predictions, a slot to hand back. */
export interface Admitted {
  rate: RateLimitDecision;
  /** Off the critical path: never awaited by the caller's answer. */
  release(): void;
}

/** A refusal carries its decision so that the headers can still be set. */
export type RateLimitedError = QuotaError & { decision: RateLimitDecision };

/**
 * Per-request admission against the plan: the caller's and the tenant's requests per minute and,
 * for a prediction, one of the tenant's concurrent-request slots, decided together in one limiter
 * round trip (one Redis script, or in-process in embedded mode).
 */
@Injectable()
export class AdmissionService {
  constructor(
    private readonly limiters: QuotaLimiters,
    private readonly plans: PlanLimitsService,
  ) {}

  /** Throws RATE_LIMITED (KEY_/TENANT_RATE_LIMITED, CONCURRENT_REQUESTS_EXCEEDED) with retryAfter. */
  async admit(principal: Principal, options: { slot: boolean }): Promise<Admitted | null> {
    if (principal.kind === 'anonymous' || !principal.tenantId) return null;
    const limits = await this.plans.forTenant(principal.tenantId);
    const d = await this.limiters.admission.admit({
      tenantId: principal.tenantId,
      who: principal.kind === 'api_key' ? `key:${principal.apiKeyId}` : `user:${principal.userId}`,
      perCaller: limits.requestsPerMinutePerKey,
      perTenant: limits.requestsPerMinutePerTenant,
      windowMs: MINUTE_MS,
      slot: options.slot ? { max: limits.maxConcurrentRequests, ttlMs: SLOT_TTL_MS } : undefined,
    });
    if (d.verdict === 'admitted') return { rate: d.rate, release: this.releaser(d.slot) };
    throw refusal(d, limits.maxConcurrentRequests);
  }

  private releaser(slot: AdmissionDecision['slot']): () => void {
    let done = !slot;
    return () => {
      if (done) return;
      done = true;
      void this.limiters.admission.release(slot!).catch(() => undefined);
    };
  }
}

function refusal(d: AdmissionDecision, maxConcurrent: number): RateLimitedError {
  const retry = Math.ceil(d.rate.retryAfterMs / 1000);
  const error =
    d.verdict === 'caller_limited'
      ? QuotaError.rateLimited(QuotaErrorReason.KEY_RATE_LIMITED, retry, d.rate.limit)
      : d.verdict === 'tenant_limited'
        ? QuotaError.rateLimited(QuotaErrorReason.TENANT_RATE_LIMITED, retry, d.rate.limit)
        : QuotaError.tooManyConcurrent('requests', maxConcurrent);
  return Object.assign(error, { decision: d.rate });
}
