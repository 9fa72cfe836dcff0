/*
 * Redis down: like FailoverRateLimiter, FAIL OPEN to in-process slots (per instance) behind a
 * circuit breaker, with a timeout per call. A lease remembers its store, so it is released or
 * extended where it was taken. Releasing a Redis lease while Redis is down cannot fail the
 * request: the error is reported and the slot lapses at its TTL, which is what the TTL is for.
 */
import { CircuitBreaker, isCircuitOpen, type CircuitBreakerOptions } from './circuit-breaker';
import type {
  ConcurrencyDecision,
  ConcurrencyLease,
  ConcurrencyLimit,
  ConcurrencyLimiter,
} from './concurrency-limiter';
import { assertValidConcurrencyLimit } from './concurrency-limiter';
import { logCircuitTransitions, type FallbackEvents, type FallbackLogger } from './fallback-events';
import { InMemoryConcurrencyLimiter } from './in-memory-concurrency-limiter';
import { withTimeout } from './with-timeout';

export interface FailoverConcurrencyLimiterOptions {
  fallback?: ConcurrencyLimiter;
  timeoutMs?: number;
  breaker?: Omit<CircuitBreakerOptions, 'onStateChange'>;
  events?: FallbackEvents & { releaseFailed?(error: unknown): void };
  logger?: FallbackLogger;
}

export class FailoverConcurrencyLimiter implements ConcurrencyLimiter {
  readonly breaker: CircuitBreaker;
  private readonly fallback: ConcurrencyLimiter;
  private readonly timeoutMs: number;
  private readonly events: NonNullable<FailoverConcurrencyLimiterOptions['events']>;

  constructor(
    private readonly primary: ConcurrencyLimiter,
    options: FailoverConcurrencyLimiterOptions = {},
  ) {
    this.fallback = options.fallback ?? new InMemoryConcurrencyLimiter();
    this.timeoutMs = options.timeoutMs ?? 100;
    this.events = options.events ?? {};
    const log = logCircuitTransitions(options.logger ?? console, 'concurrency limiter');
    this.breaker = new CircuitBreaker({
      ...options.breaker,
      onStateChange: (state, reason) => {
        log?.(state, reason);
        this.events.circuitStateChanged?.(state, reason);
      },
    });
  }

  async acquire(key: string, limit: ConcurrencyLimit): Promise<ConcurrencyDecision> {
    assertValidConcurrencyLimit(limit);
    try {
      return await this.breaker.execute(() =>
        withTimeout(this.primary.acquire(key, limit), this.timeoutMs, 'concurrency acquire'),
      );
    } catch (error) {
      this.events.fallbackDecision?.(isCircuitOpen(error) ? 'circuit-open' : 'error');
      return this.fallback.acquire(key, limit);
    }
  }

  async release(lease: ConcurrencyLease): Promise<void> {
    if (lease.store === 'memory') return this.fallback.release(lease);
    try {
      await withTimeout(this.primary.release(lease), this.timeoutMs, 'concurrency release');
    } catch (error) {
      this.events.releaseFailed?.(error);
    }
  }

  async extend(lease: ConcurrencyLease, ttlMs: number): Promise<boolean> {
    if (lease.store === 'memory') return this.fallback.extend(lease, ttlMs);
    return withTimeout(this.primary.extend(lease, ttlMs), this.timeoutMs, 'concurrency extend');
  }
}
