import type Redis from 'ioredis';
import { assertValidConsume, type RateLimit, type RateLimitDecision, type RateLimiter } from './rate-limiter';
import { SLIDING_WINDOW_LUA } from './sliding-window.lua';

type SlidingWindowReply = [number, number, number, number];
type RedisWithSlidingWindow = Redis & {
  maasRateLimitSlidingWindow(
    log: string,
    state: string,
    max: number,
    windowMs: number,
    cost: number,
  ): Promise<SlidingWindowReply>;
};

export interface RedisRateLimiterOptions {
  /** Prepended to every key; tests pass their own so they can run in parallel. Default 'rl:'. */
  keyPrefix?: string;
}

/**
 * Sliding-window limiter shared by every instance through Redis: one EVALSHA per decision
 * (ioredis falls back to EVAL once after a Redis restart empties the script cache).
 *
 * Give it a client made for the hot path (`enableOfflineQueue: false`, `maxRetriesPerRequest: 0`)
 * so that a dead Redis fails fast instead of queueing; FailoverRateLimiter handles the failure.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly keyPrefix: string;
  private readonly redis: RedisWithSlidingWindow;

  constructor(redis: Redis, options: RedisRateLimiterOptions = {}) {
    this.keyPrefix = options.keyPrefix ?? 'rl:';
    this.redis = redis as RedisWithSlidingWindow;
    // defineCommand once per client: several limiters may share one connection.
    if (!this.redis.maasRateLimitSlidingWindow) {
      redis.defineCommand('maasRateLimitSlidingWindow', { numberOfKeys: 2, lua: SLIDING_WINDOW_LUA });
    }
  }

  async consume(key: string, limit: RateLimit, cost = 1): Promise<RateLimitDecision> {
    assertValidConsume(limit, cost);
    // The hash tag keeps both keys in one slot, so the script also works on Redis Cluster.
    const base = `${this.keyPrefix}{${key}}`;
    const [allowed, remaining, resetAt, retryAfterMs] = await this.redis.maasRateLimitSlidingWindow(
      base,
      `${base}:s`,
      limit.max,
      limit.windowMs,
      cost,
    );
    return { allowed: allowed === 1, limit: limit.max, remaining, resetAt, retryAfterMs };
  }
}
