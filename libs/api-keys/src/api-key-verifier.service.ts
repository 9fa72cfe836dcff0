import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG, AppConfig, RedisConnections, constantTimeEqual } from '@app/common';
import { PrismaService } from '@app/db';
import { ApiKeyCache, VerifiedKey } from './api-key-cache';
import { ApiKeyError, ApiKeyErrorReason } from './api-key.error';
import { parseApiKey } from './api-key-format';

const REVOKED_CHANNEL = 'mas:api-keys:revoked';
const LAST_USED_FLUSH_MS = 30_000;

/**
 * Verifies `mk_live_...` keys. Hot path: parse, SHA-256, cache hit: no I/O at all. On a miss,
 * one indexed look-up by display prefix and a constant-time compare of the hashes.
 *
 * Revocation: the revoking process evicts at once; other processes hear it on Redis pub/sub
 * (when REDIS_URL is set) or, at worst, when API_KEY_CACHE_TTL_MS runs out (default 5 s).
 * lastUsedAt is kept in memory and written in one batch every 30 s, never per request.
 */
@Injectable()
export class ApiKeyVerifier implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger('ApiKeys');
  private readonly cache: ApiKeyCache;
  private readonly lastUsed = new Map<string, Date>();
  private flushTimer?: NodeJS.Timeout;
  private publisher: Redis | null = null;
  private subscriber: Redis | null = null;

  constructor(
    private readonly prisma: PrismaService,
    private readonly redis: RedisConnections,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cache = new ApiKeyCache(config.API_KEY_CACHE_TTL_MS);
  }

  async onModuleInit(): Promise<void> {
    this.flushTimer = setInterval(() => void this.flushLastUsed(), LAST_USED_FLUSH_MS);
    this.flushTimer.unref();
    this.publisher = this.redis.open('api-keys-pub');
    this.subscriber = this.redis.open('api-keys-sub');
    if (this.subscriber) {
      this.subscriber.on('message', (_channel, keyId: string) => this.cache.evictKeyId(keyId));
      await this.subscriber
        .subscribe(REVOKED_CHANNEL)
        .catch((e) => this.log.warn(`revocation channel unavailable, relying on TTL: ${e.message}`));
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.flushTimer);
    await this.flushLastUsed();
  }

  async verify(secret: string): Promise<VerifiedKey> {
    const parsed = parseApiKey(secret);
    if (!parsed) throw ApiKeyError.invalid(ApiKeyErrorReason.INVALID);
    let key = this.cache.get(parsed.hash);
    if (!key) {
      key = await this.lookup(parsed.prefix, parsed.hash);
      this.cache.set(parsed.hash, key);
    }
    if (key.revokedAt) throw ApiKeyError.invalid(ApiKeyErrorReason.REVOKED, { tenantId: key.tenantId, keyId: key.id });
    if (key.expiresAt && key.expiresAt.getTime() <= Date.now())
      throw ApiKeyError.invalid(ApiKeyErrorReason.EXPIRED, { tenantId: key.tenantId, keyId: key.id });
    this.lastUsed.set(key.id, new Date());
    return key;
  }

  private async lookup(prefix: string, hash: string): Promise<VerifiedKey> {
    // Unscoped on purpose: the tenant is what this look-up establishes.
    const rows = await this.prisma.apiKey.findMany({
      where: { prefix },
      select: {
        id: true,
        tenantId: true,
        hash: true,
        scopes: true,
        createdById: true,
        expiresAt: true,
        revokedAt: true,
      },
      take: 16,
    });
    const row = rows.find((r) => constantTimeEqual(r.hash, hash));
    // A wrong secret under a real prefix concerns that key's tenant (someone is guessing at it).
    if (!row)
      throw ApiKeyError.invalid(
        ApiKeyErrorReason.INVALID,
        rows[0] ? { tenantId: rows[0].tenantId, keyId: rows[0].id } : undefined,
      );
    const { hash: _omit, ...key } = row; // eslint-disable-line @typescript-eslint/no-unused-vars
    return key;
  }

  /** Called by the revoking process, inside nothing: the database change is already committed. */
  async revoked(keyId: string): Promise<void> {
    this.cache.evictKeyId(keyId);
    await this.publisher
      ?.publish(REVOKED_CHANNEL, keyId)
      .catch((e) => this.log.warn(`revocation broadcast failed (TTL still applies): ${e.message}`));
  }

  async flushLastUsed(): Promise<void> {
    if (!this.lastUsed.size) return;
    const batch = [...this.lastUsed];
    this.lastUsed.clear();
    try {
      // One statement for the whole batch; never moves lastUsedAt backwards.
      const ids = batch.map(([id]) => id);
      const times = batch.map(([, at]) => at.toISOString());
      await this.prisma.$executeRaw`
        UPDATE api_keys AS k SET "lastUsedAt" = u.at
        FROM (SELECT unnest(${ids}::text[]) AS id, unnest(${times}::timestamptz[]) AT TIME ZONE 'UTC' AS at) AS u
        WHERE k.id = u.id AND (k."lastUsedAt" IS NULL OR k."lastUsedAt" < u.at)`;
    } catch (e) {
      this.log.warn(`lastUsedAt flush failed: ${(e as Error).message}`);
    }
  }
}
