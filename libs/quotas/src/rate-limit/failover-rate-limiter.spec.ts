import Redis from 'ioredis';
import { servicesRequired } from '../../../../test/support/services';
import type { CircuitState } from './circuit-breaker';
import { FailoverConcurrencyLimiter } from './failover-concurrency-limiter';
import { FailoverRateLimiter } from './failover-rate-limiter';
import { RedisConcurrencyLimiter } from './redis-concurrency-limiter';
import { RedisRateLimiter } from './redis-rate-limiter';
import type { RateLimit, RateLimitDecision, RateLimiter } from './rate-limiter';
import { freePort, RedisServerProcess, redisServerBinaryAvailable } from './testing/redis-server-process';

function canRun(): boolean {
  if (redisServerBinaryAvailable()) return true;
  if (servicesRequired())
    throw new Error('failover-rate-limiter.spec: redis-server binary required (REQUIRE_SERVICES=1)');
  console.warn('SKIPPED failover-rate-limiter.spec: no redis-server binary on PATH');
  return false;
}
const d = canRun() ? describe : describe.skip;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts how often the limiter really reached for Redis. */
class CountingLimiter implements RateLimiter {
  calls = 0;
  constructor(private readonly inner: RateLimiter) {}
  consume(key: string, limit: RateLimit, cost?: number): Promise<RateLimitDecision> {
    this.calls++;
    return this.inner.consume(key, limit, cost);
  }
}

d('FailoverRateLimiter against a redis-server that dies and comes back', () => {
  let server: RedisServerProcess;
  let redis: Redis;
  let primary: CountingLimiter;
  let limiter: FailoverRateLimiter;
  const fallbacks: string[] = [];
  const states: CircuitState[] = [];
  const warnings: string[] = [];
  const infos: string[] = [];
  const openMs = 300;

  beforeAll(async () => {
    server = new RedisServerProcess(await freePort());
    await server.start();
    // The hot-path client settings: fail fast instead of queueing while disconnected.
    redis = new Redis(server.url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => 50 });
    redis.on('error', () => undefined);
    await new Promise((resolve) => redis.once('ready', resolve));
    primary = new CountingLimiter(new RedisRateLimiter(redis, { keyPrefix: 'failover:' }));
    limiter = new FailoverRateLimiter(primary, {
      timeoutMs: 250,
      breaker: { failureThreshold: 2, openMs },
      events: {
        fallbackDecision: (reason) => fallbacks.push(reason),
        circuitStateChanged: (state) => states.push(state),
      },
      logger: { warn: (m) => warnings.push(m), log: (m) => infos.push(m) },
    });
  });
  afterAll(async () => {
    redis?.disconnect();
    await server?.kill();
  });

  const limit = { max: 3, windowMs: 60_000 };

  it('decides in Redis while it is up', async () => {
    expect(await limiter.consume('tenant', limit)).toMatchObject({ allowed: true, remaining: 2 });
    expect(await redis.zcard('failover:{tenant}')).toBe(1);
    expect(fallbacks).toEqual([]);
  });

  it('fails open to the in-process limiter when Redis is SIGKILLed, then stops trying it', async () => {
    await server.kill();
    const first = await limiter.consume('tenant', limit);
    const second = await limiter.consume('tenant', limit);
    expect(first.allowed && second.allowed).toBe(true);
    expect(fallbacks).toEqual(['error', 'error']);
    expect(limiter.breaker.state).toBe('open');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/failing open/);

    // Circuit open: Redis is not even tried, and the local window still enforces the limit.
    const callsBefore = primary.calls;
    const third = await limiter.consume('tenant', limit);
    const fourth = await limiter.consume('tenant', limit);
    expect(primary.calls).toBe(callsBefore);
    expect(third.allowed).toBe(true);
    expect(fourth).toMatchObject({ allowed: false, remaining: 0 });
    expect(fallbacks.slice(2)).toEqual(['circuit-open', 'circuit-open']);
  });

  it('re-opens after a failed probe while Redis is still down', async () => {
    await sleep(openMs + 50);
    await limiter.consume('other', limit);
    expect(states.slice(-2)).toEqual(['half-open', 'open']);
    expect(warnings).toHaveLength(2);
  });

  it('goes back to Redis once it is restarted', async () => {
    await server.start();
    await new Promise((resolve) => (redis.status === 'ready' ? resolve(undefined) : redis.once('ready', resolve)));
    await sleep(openMs + 50);
    // Restarted without persistence: the shared window starts empty.
    expect(await limiter.consume('tenant', limit)).toMatchObject({ allowed: true, remaining: 2 });
    expect(limiter.breaker.state).toBe('closed');
    expect(infos).toEqual([expect.stringMatching(/Redis back/)]);
    expect(await redis.zcard('failover:{tenant}')).toBe(1);
  });

  it('does the same for concurrency slots, releasing each lease where it was taken', async () => {
    const slots = new FailoverConcurrencyLimiter(new RedisConcurrencyLimiter(redis, { keyPrefix: 'failover-cc:' }), {
      timeoutMs: 250,
      breaker: { failureThreshold: 1, openMs: 60_000 },
      logger: { warn: () => undefined, log: () => undefined },
    });
    const shared = await slots.acquire('jobs', { max: 2, ttlMs: 60_000 });
    expect(shared.lease?.store).toBe('redis');
    await server.kill();
    const local = await slots.acquire('jobs', { max: 2, ttlMs: 60_000 });
    expect(local).toMatchObject({ acquired: true, lease: { store: 'memory' } });
    await expect(slots.release(local.lease!)).resolves.toBeUndefined();
    // Releasing a Redis lease while Redis is down must not throw into the request.
    await expect(slots.release(shared.lease!)).resolves.toBeUndefined();
  });
});
