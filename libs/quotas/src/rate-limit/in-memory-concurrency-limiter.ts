import { randomUUID } from 'node:crypto';
import {
  assertValidConcurrencyLimit,
  type ConcurrencyDecision,
  type ConcurrencyLease,
  type ConcurrencyLimit,
  type ConcurrencyLimiter,
} from './concurrency-limiter';

export interface InMemoryConcurrencyLimiterOptions {
  now?: () => number;
  /** How often keys without live leases are dropped (ms). Default 30 s. */
  sweepIntervalMs?: number;
}

/** In-process concurrency slots (embedded mode, and the fallback while Redis is down). */
export class InMemoryConcurrencyLimiter implements ConcurrencyLimiter {
  /** key -> lease id -> expiresAt */
  private readonly slots = new Map<string, Map<string, number>>();
  private readonly now: () => number;
  private readonly sweeper: NodeJS.Timeout;

  constructor(options: InMemoryConcurrencyLimiterOptions = {}) {
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.sweep(), options.sweepIntervalMs ?? 30_000);
    this.sweeper.unref();
  }

  async acquire(key: string, limit: ConcurrencyLimit): Promise<ConcurrencyDecision> {
    assertValidConcurrencyLimit(limit);
    const now = this.now();
    const leases = this.slots.get(key) ?? new Map<string, number>();
    this.slots.set(key, leases);
    for (const [id, expiresAt] of leases) if (expiresAt <= now) leases.delete(id);
    if (leases.size >= limit.max) return { acquired: false, limit: limit.max, active: leases.size };
    const lease: ConcurrencyLease = { key, id: randomUUID(), expiresAt: now + limit.ttlMs, store: 'memory' };
    leases.set(lease.id, lease.expiresAt);
    return { acquired: true, limit: limit.max, active: leases.size, lease };
  }

  async release(lease: ConcurrencyLease): Promise<void> {
    const leases = this.slots.get(lease.key);
    leases?.delete(lease.id);
    if (leases?.size === 0) this.slots.delete(lease.key);
  }

  async extend(lease: ConcurrencyLease, ttlMs: number): Promise<boolean> {
    const leases = this.slots.get(lease.key);
    const expiresAt = leases?.get(lease.id);
    const now = this.now();
    if (!leases || expiresAt === undefined || expiresAt <= now) return false;
    lease.expiresAt = now + ttlMs;
    leases.set(lease.id, lease.expiresAt);
    return true;
  }

  get size(): number {
    return this.slots.size;
  }

  sweep(): void {
    const now = this.now();
    for (const [key, leases] of this.slots) {
      for (const [id, expiresAt] of leases) if (expiresAt <= now) leases.delete(id);
      if (leases.size === 0) this.slots.delete(key);
    }
  }

  close(): void {
    clearInterval(this.sweeper);
    this.slots.clear();
  }
}
