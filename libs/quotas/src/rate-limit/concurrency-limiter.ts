/** At most `max` leases held at once per key; a lease not released within `ttlMs` lapses. */
export interface ConcurrencyLimit {
  max: number;
  ttlMs: number;
}

export interface ConcurrencyLease {
  key: string;
  id: string;
  /** Epoch ms after which the slot is free again even if never released (crashed holder). */
  expiresAt: number;
  /** Which store holds the slot, so a failover limiter releases it where it was taken. */
  store: 'redis' | 'memory';
}

export interface ConcurrencyDecision {
  acquired: boolean;
  limit: number;
  /** Leases held on the key after this decision. */
  active: number;
  lease?: ConcurrencyLease;
}

/**
 * "Concurrent requests / jobs per tenant". Hold a lease for the duration of the work and
 * release it in a `finally`; long jobs call `extend` as a heartbeat. The TTL is what keeps a
 * crashed process from leaking slots forever: set it above the longest expected hold time, or
 * heartbeat.
 */
export interface ConcurrencyLimiter {
  acquire(key: string, limit: ConcurrencyLimit): Promise<ConcurrencyDecision>;
  release(lease: ConcurrencyLease): Promise<void>;
  /** Pushes the lease's expiry to now + ttlMs; false if it had already lapsed (the slot is lost). */
  extend(lease: ConcurrencyLease, ttlMs: number): Promise<boolean>;
}

export function assertValidConcurrencyLimit(limit: ConcurrencyLimit): void {
  if (!Number.isInteger(limit.max) || limit.max < 1)
    throw new RangeError(`concurrency max must be a positive integer, got ${limit.max}`);
  if (!Number.isInteger(limit.ttlMs) || limit.ttlMs < 1)
    throw new RangeError(`concurrency ttlMs must be a positive integer, got ${limit.ttlMs}`);
}
