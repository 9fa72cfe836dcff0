import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { ACQUIRE_SLOT_LUA, EXTEND_SLOT_LUA } from './concurrency.lua';
import {
  assertValidConcurrencyLimit,
  type ConcurrencyDecision,
  type ConcurrencyLease,
  type ConcurrencyLimit,
  type ConcurrencyLimiter,
} from './concurrency-limiter';

type RedisWithSlots = Redis & {
  maasAcquireSlot(slots: string, max: number, ttlMs: number, id: string): Promise<[number, number, number]>;
  maasExtendSlot(slots: string, id: string, ttlMs: number): Promise<number>;
};

export interface RedisConcurrencyLimiterOptions {
  /** Default 'cc:'. */
  keyPrefix?: string;
}

/** Concurrency slots shared by every instance: one round trip per acquire, release or extend. */
export class RedisConcurrencyLimiter implements ConcurrencyLimiter {
  private readonly keyPrefix: string;
  private readonly redis: RedisWithSlots;

  constructor(redis: Redis, options: RedisConcurrencyLimiterOptions = {}) {
    this.keyPrefix = options.keyPrefix ?? 'cc:';
    this.redis = redis as RedisWithSlots;
    if (!this.redis.maasAcquireSlot) redis.defineCommand('maasAcquireSlot', { numberOfKeys: 1, lua: ACQUIRE_SLOT_LUA });
    if (!this.redis.maasExtendSlot) redis.defineCommand('maasExtendSlot', { numberOfKeys: 1, lua: EXTEND_SLOT_LUA });
  }

  async acquire(key: string, limit: ConcurrencyLimit): Promise<ConcurrencyDecision> {
    assertValidConcurrencyLimit(limit);
    const id = randomUUID();
    const [acquired, active, expiresAt] = await this.redis.maasAcquireSlot(
      this.slotsKey(key),
      limit.max,
      limit.ttlMs,
      id,
    );
    if (acquired !== 1) return { acquired: false, limit: limit.max, active };
    return { acquired: true, limit: limit.max, active, lease: { key, id, expiresAt, store: 'redis' } };
  }

  async release(lease: ConcurrencyLease): Promise<void> {
    await this.redis.zrem(this.slotsKey(lease.key), lease.id);
  }

  async extend(lease: ConcurrencyLease, ttlMs: number): Promise<boolean> {
    const expiresAt = await this.redis.maasExtendSlot(this.slotsKey(lease.key), lease.id, ttlMs);
    if (expiresAt === 0) return false;
    lease.expiresAt = expiresAt;
    return true;
  }

  private slotsKey(key: string): string {
    return `${this.keyPrefix}{${key}}`;
  }
}
