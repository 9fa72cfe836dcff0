import { InMemoryRateLimiter } from './in-memory-rate-limiter';
import { toRateLimitHeaders } from './rate-limit-headers';

describe('InMemoryRateLimiter', () => {
  let now = 1_000_000;
  let limiter: InMemoryRateLimiter;
  beforeEach(() => {
    now = 1_000_000;
    limiter = new InMemoryRateLimiter({ now: () => now });
  });
  afterEach(() => limiter.close());

  it('admits exactly N of 200 concurrent calls', async () => {
    const decisions = await Promise.all(
      Array.from({ length: 200 }, () => limiter.consume('k', { max: 37, windowMs: 60_000 })),
    );
    expect(decisions.filter((x) => x.allowed)).toHaveLength(37);
  });

  it('slides: a slot frees exactly when its request leaves the window', async () => {
    const limit = { max: 2, windowMs: 1000 };
    await limiter.consume('k', limit);
    now += 400;
    await limiter.consume('k', limit);
    const denied = await limiter.consume('k', limit);
    expect(denied).toMatchObject({ allowed: false, remaining: 0, retryAfterMs: 600, resetAt: now + 1000 });
    now += 599;
    expect((await limiter.consume('k', limit)).allowed).toBe(false);
    now += 1;
    expect(await limiter.consume('k', limit)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('waits for enough units to leave when cost > 1', async () => {
    const limit = { max: 5, windowMs: 1000 };
    await limiter.consume('k', limit, 2);
    now += 100;
    await limiter.consume('k', limit, 2);
    now += 100;
    const denied = await limiter.consume('k', limit, 3);
    // 4 used, 1 free: needs 2 more, i.e. the first entry (2 units) to leave at t0+1000.
    expect(denied).toMatchObject({ allowed: false, remaining: 1, retryAfterMs: 800 });
    expect(await limiter.consume('k', limit, 1)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('keeps keys apart and forgets idle ones', async () => {
    const limit = { max: 1, windowMs: 1000 };
    await limiter.consume('a', limit);
    expect((await limiter.consume('a', limit)).allowed).toBe(false);
    expect((await limiter.consume('b', limit)).allowed).toBe(true);
    expect(limiter.size).toBe(2);
    now += 1000;
    limiter.sweep();
    expect(limiter.size).toBe(0);
  });

  it('maps a decision to the standard headers', async () => {
    const limit = { max: 1, windowMs: 30_000 };
    expect(toRateLimitHeaders(await limiter.consume('h', limit), now)).toEqual({
      'x-ratelimit-limit': '1',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': '30',
    });
    now += 10_500;
    expect(toRateLimitHeaders(await limiter.consume('h', limit), now)).toMatchObject({
      'retry-after': '20',
      'x-ratelimit-reset': '20',
    });
  });
});
