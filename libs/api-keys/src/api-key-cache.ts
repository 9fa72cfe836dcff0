import { TtlCache } from '@app/common';

/** What a verified key resolves to; cached by the SHA-256 of the key, never by the key. */
export interface VerifiedKey {
  id: string;
  tenantId: string;
  scopes: string[];
  createdById: string | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** Verified keys by hash, bounded (a flood of distinct keys cannot grow memory) and short-lived. */
export class ApiKeyCache {
  private readonly cache: TtlCache<string, VerifiedKey>;

  constructor(ttlMs: number, maxEntries = 10_000, now?: () => number) {
    this.cache = new TtlCache({ ttlMs, max: maxEntries, now });
  }

  get(hash: string): VerifiedKey | undefined {
    return this.cache.get(hash);
  }

  set(hash: string, value: VerifiedKey): void {
    this.cache.set(hash, value);
  }

  evictKeyId(keyId: string): void {
    this.cache.deleteWhere((value) => value.id === keyId);
  }

  clear(): void {
    this.cache.clear();
  }
}
