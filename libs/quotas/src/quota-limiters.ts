import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { APP_CONFIG, type AppConfig, loadRedis, MetricsService } from '@app/common';
import {
  type ConcurrencyLimiter,
  FailoverConcurrencyLimiter,
  FailoverRateLimiter,
  InMemoryConcurrencyLimiter,
  InMemoryRateLimiter,
  type RateLimiter,
  RedisConcurrencyLimiter,
  RedisRateLimiter,
} from './rate-limit';
import type { Admission } from './admission/admission';
import { FailoverAdmission } from './admission/failover-admission';
import { InMemoryAdmission } from './admission/in-memory-admission';
import { RedisAdmission } from './admission/redis-admission';

/**
 * The rate and concurrency limiters behind one interface each: Redis (shared by every instance,
 * failing open to in-process when Redis is down, see failover-rate-limiter.ts) when REDIS_URL
 * is set, in-process in embedded mode. The Redis client is our own, made for the hot path: no
 * offline queue and no retries, so a dead Redis fails fast into the fallback.
 */
@Injectable()
export class QuotaLimiters implements OnApplicationShutdown {
  readonly rate: RateLimiter;
  readonly concurrency: ConcurrencyLimiter;
  /** Both request windows and the prediction slot in one decision (one Redis round trip). */
  readonly admission: Admission;
  private readonly redis: Redis | null;

  constructor(@Inject(APP_CONFIG) config: AppConfig, metrics: MetricsService) {
    const log = new Logger('RateLimit');
    if (!config.REDIS_URL) {
      this.redis = null;
      this.rate = new InMemoryRateLimiter();
      this.concurrency = new InMemoryConcurrencyLimiter();
      this.admission = new InMemoryAdmission();
      return;
    }
    this.redis = new (loadRedis())(config.REDIS_URL, {
      connectionName: 'mas:limits',
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
    });
    this.redis.on('error', (e) => log.debug?.(`redis: ${e.message}`));
    const fallbacks = metrics.counter(
      'rate_limit_fallback_decisions_total',
      'Limiter decisions made in-process because Redis failed',
      ['limiter', 'reason'],
    );
    const circuit = metrics.gauge('rate_limit_circuit_open', '1 while the limiter bypasses Redis', ['limiter']);
    const events = (limiter: string) => ({
      fallbackDecision: (reason: string) => fallbacks.inc({ limiter, reason }),
      circuitStateChanged: (state: string) => circuit.set({ limiter }, state === 'closed' ? 0 : 1),
    });
    this.rate = new FailoverRateLimiter(new RedisRateLimiter(this.redis), { events: events('rate'), logger: log });
    this.concurrency = new FailoverConcurrencyLimiter(new RedisConcurrencyLimiter(this.redis), {
      events: events('concurrency'),
      logger: log,
    });
    this.admission = new FailoverAdmission(new RedisAdmission(this.redis), {
      events: events('admission'),
      logger: log,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
