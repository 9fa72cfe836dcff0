/** What a verified key resolves to; cached by the SHA-256 of the key, never by the key. */
export interface VerifiedKey {
  id: string;
  tenantId: string;
  scopes: string[];
  createdById: string | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** A small TTL + LRU map. Bounded so that a flood of distinct keys cannot grow memory. */
export class ApiKeyCache {
  private readonly map = new Map<string, { value: VerifiedKey; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(hash: string, now = Date.now()): VerifiedKey | undefined {
    const hit = this.map.get(hash);
    if (!hit) return undefined;
    if (hit.until <= now) {
      this.map.delete(hash);
      return undefined;
    }
    // Refresh recency for LRU: Map keeps insertion order.
    this.map.delete(hash);
    this.map.set(hash, hit);
    return hit.value;
  }

  set(hash: string, value: VerifiedKey, now = Date.now()): void {
    if (this.ttlMs <= 0) return;
    this.map.delete(hash);
    this.map.set(hash, { value, until: now + this.ttlMs });
    if (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value as string);
  }

  evictKeyId(keyId: string): void {
    for (const [hash, entry] of this.map) if (entry.value.id === keyId) this.map.delete(hash);
  }

  clear(): void {
    this.map.clear();
  }
}
