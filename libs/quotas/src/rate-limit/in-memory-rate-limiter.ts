import { assertValidConsume, type RateLimit, type RateLimitDecision, type RateLimiter } from './rate-limiter';

interface WindowLog {
  /** Admission times and costs, oldest first; `head` skips consumed entries without shifting. */
  times: number[];
  costs: number[];
  head: number;
  used: number;
  /** When the newest entry leaves the window: after that the whole log is dead weight. */
  idleAt: number;
}

export interface InMemoryRateLimiterOptions {
  now?: () => number;
  /** How often idle keys are swept (ms). Default 30 s. */
  sweepIntervalMs?: number;
}

/**
 * The same sliding-window log as the Redis script, in-process: for embedded mode and as the
 * per-instance fallback while Redis is down. Memory is bounded: a key holds at most `max`
 * entries and is dropped once its newest entry has left the window (swept on a timer that
 * does not keep the process alive).
 */
export class InMemoryRateLimiter implements RateLimiter {
  private readonly logs = new Map<string, WindowLog>();
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: InMemoryRateLimiterOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 30_000);
    this.sweeper.unref();
  }

  async consume(key: string, limit: RateLimit, cost = 1): Promise<RateLimitDecision> {
    return this.consumeSync(key, limit, cost);
  }

  /** The decision consume() would take, counting nothing (a multi-window admission checks all first). */
  peek(key: string, limit: RateLimit, cost = 1): RateLimitDecision {
    return this.consumeSync(key, limit, cost, false);
  }

  consumeSync(key: string, limit: RateLimit, cost = 1, commit = true): RateLimitDecision {
    assertValidConsume(limit, cost);
    const now = this.now();
    let log = this.logs.get(key);
    if (!log) {
      log = { times: [], costs: [], head: 0, used: 0, idleAt: 0 };
      this.logs.set(key, log);
    }
    const horizon = now - limit.windowMs;
    while (log.head < log.times.length && log.times[log.head] <= horizon) {
      log.used -= log.costs[log.head];
      log.head++;
    }
    if (log.head > 64 && log.head * 2 > log.times.length) this.compact(log);

    if (log.used + cost <= limit.max) {
      if (!commit)
        return {
          allowed: true,
          limit: limit.max,
          remaining: limit.max - log.used - cost,
          resetAt: now + limit.windowMs,
          retryAfterMs: 0,
        };
      log.times.push(now);
      log.costs.push(cost);
      log.used += cost;
      log.idleAt = now + limit.windowMs;
      return { allowed: true, limit: limit.max, remaining: limit.max - log.used, resetAt: log.idleAt, retryAfterMs: 0 };
    }

    const need = log.used + cost - limit.max;
    let freed = 0;
    let retryAt = now;
    for (let i = log.head; i < log.times.length && freed < need; i++) {
      freed += log.costs[i];
      retryAt = log.times[i] + limit.windowMs;
    }
    const newest = log.times.length > log.head ? log.times[log.times.length - 1] + limit.windowMs : now;
    return {
      allowed: false,
      limit: limit.max,
      remaining: limit.max - log.used,
      resetAt: newest,
      retryAfterMs: Math.max(1, retryAt - now),
    };
  }

  /** Number of keys held: lets tests check that idle keys really go away. */
  get size(): number {
    return this.logs.size;
  }

  sweep(): void {
    const now = this.now();
    for (const [key, log] of this.logs) if (log.idleAt <= now) this.logs.delete(key);
  }

  close(): void {
    clearInterval(this.sweeper);
    this.logs.clear();
  }

  private compact(log: WindowLog): void {
    log.times = log.times.slice(log.head);
    log.costs = log.costs.slice(log.head);
    log.head = 0;
  }
}
