/** A limit of `max` units per rolling window of `windowMs` milliseconds. */
export interface RateLimit {
  max: number;
  windowMs: number;
}

/**
 * The answer to one `consume` call, shaped so that a caller can emit the standard headers
 * (see toRateLimitHeaders) without knowing the algorithm.
 */
export interface RateLimitDecision {
  allowed: boolean;
  /** The `max` of the limit that was applied. */
  limit: number;
  /** Units still available in the current window after this decision. */
  remaining: number;
  /** Epoch ms at which the whole quota is available again (the newest counted request leaves the window). */
  resetAt: number;
  /** 0 when allowed; otherwise ms until a retry with the same cost can succeed. */
  retryAfterMs: number;
}

export interface RateLimiter {
  /**
   * Counts `cost` units (default 1) against `key` if they fit within `limit`, atomically.
   * A denied call counts nothing. Throws RangeError only for arguments no request could ever
   * satisfy (max < 1, windowMs < 1, cost < 1 or cost > max): those are bugs, not decisions.
   */
  consume(key: string, limit: RateLimit, cost?: number): Promise<RateLimitDecision>;
}

export function assertValidConsume(limit: RateLimit, cost: number): void {
  if (!Number.isInteger(limit.max) || limit.max < 1)
    throw new RangeError(`rate limit max must be a positive integer, got ${limit.max}`);
  if (!Number.isInteger(limit.windowMs) || limit.windowMs < 1)
    throw new RangeError(`rate limit windowMs must be a positive integer, got ${limit.windowMs}`);
  if (!Number.isInteger(cost) || cost < 1 || cost > limit.max)
    throw new RangeError(`rate limit cost must be an integer in 1..${limit.max}, got ${cost}`);
}
