import { AppError, ErrorCode } from '@app/common';

export enum QuotaErrorReason {
  MONTHLY_QUOTA_EXCEEDED = 'MONTHLY_QUOTA_EXCEEDED',
  BUDGET_EXCEEDED = 'BUDGET_EXCEEDED',
  EMAIL_NOT_VERIFIED = 'EMAIL_NOT_VERIFIED',
  KEY_RATE_LIMITED = 'KEY_RATE_LIMITED',
  TENANT_RATE_LIMITED = 'TENANT_RATE_LIMITED',
  CONCURRENT_REQUESTS_EXCEEDED = 'CONCURRENT_REQUESTS_EXCEEDED',
  CONCURRENT_JOBS_EXCEEDED = 'CONCURRENT_JOBS_EXCEEDED',
  INVALID_UNITS = 'INVALID_UNITS',
  INVALID_BUDGET = 'INVALID_BUDGET',
}

/** Quota, budget, rate and concurrency refusals; retryAfter is always in whole seconds (>= 1). */
export class QuotaError extends AppError {
  static quotaExceeded(
    reason:
      QuotaErrorReason.MONTHLY_QUOTA_EXCEEDED | QuotaErrorReason.BUDGET_EXCEEDED | QuotaErrorReason.EMAIL_NOT_VERIFIED,
    retryAfter: number,
    details: Record<string, unknown>,
  ): QuotaError {
    const text =
      reason === QuotaErrorReason.BUDGET_EXCEEDED
        ? 'this request would exceed the monthly budget'
        : reason === QuotaErrorReason.EMAIL_NOT_VERIFIED
          ? "the free allowance starts when the owner's e-mail address is verified (see the link e-mailed at sign-up)"
          : 'monthly quota exhausted for the current plan';
    return new QuotaError(ErrorCode.QUOTA_EXCEEDED, text, { reason, retryAfter: Math.max(1, retryAfter), details });
  }

  static rateLimited(
    reason: QuotaErrorReason.KEY_RATE_LIMITED | QuotaErrorReason.TENANT_RATE_LIMITED,
    retryAfter: number,
    limit: number,
  ): QuotaError {
    return new QuotaError(ErrorCode.RATE_LIMITED, `rate limit of ${limit} requests per minute exceeded`, {
      reason,
      retryAfter: Math.max(1, retryAfter),
      details: { limit },
    });
  }

  static tooManyConcurrent(kind: 'requests' | 'jobs', limit: number): QuotaError {
    const reason =
      kind === 'jobs' ? QuotaErrorReason.CONCURRENT_JOBS_EXCEEDED : QuotaErrorReason.CONCURRENT_REQUESTS_EXCEEDED;
    return new QuotaError(ErrorCode.RATE_LIMITED, `at most ${limit} concurrent ${kind} on the current plan`, {
      reason,
      retryAfter: 1,
      details: { limit },
    });
  }
}
