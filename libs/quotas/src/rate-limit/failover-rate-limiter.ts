/*
 * Redis down: FAIL OPEN to a per-instance, in-process limiter.
 *
 * - Every decision first asks the shared (Redis) limiter, bounded by `timeoutMs` (default 100 ms).
 *   An error or timeout records a failure and the same request is decided by the in-process
 *   sliding window instead, so the caller still gets a real decision and real headers.
 * - After `failureThreshold` consecutive failures (default 3) a circuit breaker opens: for
 *   `openMs` (default 2 s) Redis is not tried at all, so a dead Redis adds no latency per request.
 *   Then one probe request is let through; success closes the circuit and shared limits resume.
 * - Each transition is logged once (warn on open, log on close) and reported through
 *   `events.circuitStateChanged`; every fallback decision is reported through
 *   `events.fallbackDecision` (wire both to metrics).
 *
 * Why open and not closed: rate limits protect capacity, they do not bill. Failing closed would
 * turn a Redis outage into a full API outage. What is lost while open: limits are per instance
 * (a tenant can get up to N x instances per window), and the local window starts empty. Monthly
 * quotas are enforced in PostgreSQL and are unaffected.
 */
import { CircuitBreaker, isCircuitOpen, type CircuitBreakerOptions } from './circuit-breaker';
import { logCircuitTransitions, type FallbackEvents, type FallbackLogger } from './fallback-events';
import { InMemoryRateLimiter } from './in-memory-rate-limiter';
import { assertValidConsume, type RateLimit, type RateLimitDecision, type RateLimiter } from './rate-limiter';
import { withTimeout } from './with-timeout';

export interface FailoverRateLimiterOptions {
  fallback?: RateLimiter;
  /** Longest a decision may wait for Redis before the fallback decides (ms). Default 100. */
  timeoutMs?: number;
  breaker?: Omit<CircuitBreakerOptions, 'onStateChange'>;
  events?: FallbackEvents;
  logger?: FallbackLogger;
}

export class FailoverRateLimiter implements RateLimiter {
  readonly breaker: CircuitBreaker;
  private readonly fallback: RateLimiter;
  private readonly timeoutMs: number;
  private readonly events: FallbackEvents;

  constructor(
    private readonly primary: RateLimiter,
    options: FailoverRateLimiterOptions = {},
  ) {
    this.fallback = options.fallback ?? new InMemoryRateLimiter();
    this.timeoutMs = options.timeoutMs ?? 100;
    this.events = options.events ?? {};
    const log = logCircuitTransitions(options.logger ?? console, 'rate limiter');
    this.breaker = new CircuitBreaker({
      ...options.breaker,
      onStateChange: (state, reason) => {
        log?.(state, reason);
        this.events.circuitStateChanged?.(state, reason);
      },
    });
  }

  async consume(key: string, limit: RateLimit, cost = 1): Promise<RateLimitDecision> {
    // Invalid arguments are the caller's bug: they must not count as Redis failures.
    assertValidConsume(limit, cost);
    try {
      return await this.breaker.execute(() =>
        withTimeout(this.primary.consume(key, limit, cost), this.timeoutMs, 'rate limit decision'),
      );
    } catch (error) {
      this.events.fallbackDecision?.(isCircuitOpen(error) ? 'circuit-open' : 'error');
      return this.fallback.consume(key, limit, cost);
    }
  }
}
