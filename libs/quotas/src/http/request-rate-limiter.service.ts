import { Injectable } from '@nestjs/common';
import type { Principal } from '@app/tenancy';
import { PlanLimitsService } from '../plan-limits.service';
import { QuotaError, QuotaErrorReason } from '../quota.error';
import { QuotaLimiters } from '../quota-limiters';
import type { RateLimitDecision } from '../rate-limit';

const MINUTE_MS = 60_000;

/**
 * Per-request rate decisions: per API key (or per portal user) and per tenant, each a sliding
 * minute from the plan, each one limiter round trip. The first refusal wins; a refused decision
 * counts nothing, so a key that is refused does not eat into the tenant's window.
 */
@Injectable()
export class RequestRateLimiter {
  constructor(
    private readonly limiters: QuotaLimiters,
    private readonly plans: PlanLimitsService,
  ) {}

  /** The decision to report (the tighter of the two); throws RATE_LIMITED when refused. */
  async check(principal: Principal): Promise<RateLimitDecision | null> {
    if (principal.kind === 'anonymous' || !principal.tenantId) return null;
    const limits = await this.plans.forTenant(principal.tenantId);
    const who = principal.kind === 'api_key' ? `key:${principal.apiKeyId}` : `user:${principal.userId}:${principal.tenantId}`;
    const own = await this.limiters.rate.consume(who, { max: limits.requestsPerMinutePerKey, windowMs: MINUTE_MS });
    if (!own.allowed) throw withDecision(QuotaError.rateLimited(QuotaErrorReason.KEY_RATE_LIMITED, Math.ceil(own.retryAfterMs / 1000), own.limit), own);
    const tenant = await this.limiters.rate.consume(`tenant:${principal.tenantId}`, { max: limits.requestsPerMinutePerTenant, windowMs: MINUTE_MS });
    if (!tenant.allowed) throw withDecision(QuotaError.rateLimited(QuotaErrorReason.TENANT_RATE_LIMITED, Math.ceil(tenant.retryAfterMs / 1000), tenant.limit), tenant);
    return tenant.remaining < own.remaining ? tenant : own;
  }
}

/** A refusal carries its decision so that the headers can still be set. */
export type RateLimitedError = QuotaError & { decision: RateLimitDecision };

function withDecision(error: QuotaError, decision: RateLimitDecision): RateLimitedError {
  return Object.assign(error, { decision });
}
