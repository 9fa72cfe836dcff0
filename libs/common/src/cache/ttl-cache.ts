import { LRUCache } from 'lru-cache';

export interface TtlCacheOptions {
  /** How long an entry is served after it was set (ms). 0 turns the cache off: nothing is kept. */
  ttlMs: number;
  /** Entries kept at most; the least recently used goes first, so a flood of keys cannot grow memory. */
  max?: number;
  /** The clock, for tests; default performance.now(). */
  now?: () => number;
}

/**
 * The one in-process TTL + LRU cache of the platform (api-key verifications, model resolutions,
 * plan limits). A thin face over lru-cache, so that every hot-path cache expires, bounds and
 * evicts the same way, and "TTL 0" means off everywhere.
 */
export class TtlCache<K extends NonNullable<unknown>, V extends NonNullable<unknown>> {
  private readonly lru?: LRUCache<K, V>;

  constructor(options: TtlCacheOptions) {
    if (options.ttlMs <= 0) return;
    this.lru = new LRUCache<K, V>({
      max: options.max ?? 10_000,
      ttl: options.ttlMs,
      // An entry's age counts from its set, never from its reads: a hot entry still expires.
      updateAgeOnGet: false,
      ...(options.now ? { perf: { now: options.now }, ttlResolution: 0 } : {}),
    });
  }

  get(key: K): V | undefined {
    return this.lru?.get(key);
  }

  set(key: K, value: V): void {
    this.lru?.set(key, value);
  }

  delete(key: K): void {
    this.lru?.delete(key);
  }

  /** Drops every entry the predicate picks (e.g. all of one tenant's, or one API key's). */
  deleteWhere(pick: (value: V, key: K) => boolean): void {
    if (!this.lru) return;
    for (const [key, value] of this.lru.entries()) if (pick(value, key)) this.lru.delete(key);
  }

  clear(): void {
    this.lru?.clear();
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }
}
