import type { RateLimitDecision } from './rate-limiter';

/**
 * The conventional response headers for a decision. `x-ratelimit-reset` is in whole seconds
 * from now (as OpenAI and the IETF RateLimit draft use it), not an epoch, so clients with a
 * skewed clock still read it right; `retry-after` is only present on a denial.
 */
export function toRateLimitHeaders(decision: RateLimitDecision, now = Date.now()): Record<string, string> {
  const headers: Record<string, string> = {
    'x-ratelimit-limit': String(decision.limit),
    'x-ratelimit-remaining': String(Math.max(0, decision.remaining)),
    'x-ratelimit-reset': String(Math.max(0, Math.ceil((decision.resetAt - now) / 1000))),
  };
  if (!decision.allowed) headers['retry-after'] = String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
  return headers;
}
