import { Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RedisConnections } from '../redis/redis-connections';

export interface LimiterOptions {
  /** Names the limiter's keys: `mas:<name>:<key>`. */
  name: string;
  points: number;
  durationSeconds: number;
  /** Once over the limit, refuse for this long (0: until the window ends). */
  blockSeconds?: number;
}

/**
 * Counters for abuse limits (log-in failures, sign-ups, audited denials) from
 * rate-limiter-flexible: in Redis when REDIS_URL is set, so every api process shares them;
 * in this process otherwise. One Redis connection serves every limiter of the process.
 */
@Injectable()
export class LimiterFactory {
  private redis: Redis | null | undefined;

  constructor(private readonly connections: RedisConnections) {}

  create(o: LimiterOptions): RateLimiterAbstract {
    const common = {
      keyPrefix: `mas:${o.name}`,
      points: o.points,
      duration: o.durationSeconds,
      blockDuration: o.blockSeconds ?? 0,
    };
    if (this.redis === undefined) this.redis = this.connections.open('limits');
    if (!this.redis) return new RateLimiterMemory(common);
    // Memory insurance: if Redis is unreachable, limits keep working per process.
    return new RateLimiterRedis({
      ...common,
      storeClient: this.redis,
      insuranceLimiter: new RateLimiterMemory(common),
    });
  }
}

/** Whole seconds until a refused key may try again (at least 1). */
export function retryAfterOf(res: RateLimiterRes | null): number {
  return Math.max(1, Math.ceil((res?.msBeforeNext ?? 1000) / 1000));
}

/** rate-limiter-flexible rejects with a RateLimiterRes when over the limit, an Error on store failure. */
export function isRefusal(e: unknown): e is RateLimiterRes {
  return e instanceof RateLimiterRes;
}
