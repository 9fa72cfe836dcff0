import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { needsRedis } from '../../../../test/support/database';
import { testRedisUrl } from '../../../../test/support/services';
import { RedisRateLimiter } from './redis-rate-limiter';

const d = needsRedis('redis-rate-limiter.spec') ? describe : describe.skip;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

d('RedisRateLimiter (real Redis)', () => {
  const prefix = `test:rl:${randomBytes(4).toString('hex')}:`;
  const clients: Redis[] = [];
  const client = () => {
    const c = new Redis(testRedisUrl(), { enableOfflineQueue: true, maxRetriesPerRequest: 1 });
    clients.push(c);
    return c;
  };
  let limiter: RedisRateLimiter;

  beforeAll(() => {
    limiter = new RedisRateLimiter(client(), { keyPrefix: prefix });
  });
  afterAll(async () => {
    const keys = await clients[0].keys(`${prefix}*`);
    if (keys.length) await clients[0].del(...keys);
    await Promise.all(clients.map((c) => c.quit()));
  });

  it('admits exactly N of 200 concurrent clients on one key, never more', async () => {
    const max = 37;
    // 20 connections, as if 20 API instances, each with 10 requests in flight.
    const instances = Array.from({ length: 20 }, () => new RedisRateLimiter(client(), { keyPrefix: prefix }));
    const decisions = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        instances[i % instances.length].consume('burst', { max, windowMs: 60_000 }),
      ),
    );
    const admitted = decisions.filter((x) => x.allowed);
    expect(admitted).toHaveLength(max);
    // Each admission saw a distinct count: no two requests were granted the same slot.
    expect(new Set(admitted.map((x) => x.remaining)).size).toBe(max);
    for (const denied of decisions.filter((x) => !x.allowed)) {
      expect(denied.remaining).toBe(0);
      expect(denied.retryAfterMs).toBeGreaterThan(0);
      expect(denied.retryAfterMs).toBeLessThanOrEqual(60_000);
      expect(denied.limit).toBe(max);
    }
    expect((await limiter.consume('burst', { max, windowMs: 60_000 })).allowed).toBe(false);
  });

  it('admits again once the window has passed', async () => {
    const limit = { max: 3, windowMs: 300 };
    for (let i = 0; i < 3; i++) expect((await limiter.consume('reset', limit)).allowed).toBe(true);
    const denied = await limiter.consume('reset', limit);
    expect(denied.allowed).toBe(false);
    expect(denied.retryAfterMs).toBeGreaterThan(0);
    expect(denied.retryAfterMs).toBeLessThanOrEqual(300);
    // retryAfter is when the oldest admission leaves the window: one slot is free then. On a busy
    // machine the three admissions are spread out, so only a whole window frees all three.
    await sleep(denied.retryAfterMs + 50);
    expect((await limiter.consume('reset', limit)).allowed).toBe(true);
    await sleep(limit.windowMs + 50);
    expect(await limiter.consume('reset', limit)).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('keeps keys apart', async () => {
    const limit = { max: 2, windowMs: 60_000 };
    await limiter.consume('tenant-a', limit);
    await limiter.consume('tenant-a', limit);
    expect((await limiter.consume('tenant-a', limit)).allowed).toBe(false);
    expect(await limiter.consume('tenant-b', limit)).toMatchObject({ allowed: true, remaining: 1 });
  });

  it('counts cost > 1 and refuses what does not fit without counting it', async () => {
    const limit = { max: 10, windowMs: 60_000 };
    expect(await limiter.consume('cost', limit, 4)).toMatchObject({ allowed: true, remaining: 6 });
    expect(await limiter.consume('cost', limit, 4)).toMatchObject({ allowed: true, remaining: 2 });
    const denied = await limiter.consume('cost', limit, 4);
    expect(denied).toMatchObject({ allowed: false, remaining: 2 });
    expect(denied.resetAt).toBeGreaterThan(Date.now());
    expect(await limiter.consume('cost', limit, 2)).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('refuses impossible arguments as a bug, without a round trip', async () => {
    await expect(limiter.consume('bad', { max: 2, windowMs: 1000 }, 3)).rejects.toThrow(RangeError);
    await expect(limiter.consume('bad', { max: 0, windowMs: 1000 })).rejects.toThrow(RangeError);
  });

  it('makes one Redis command (EVALSHA) per decision', async () => {
    const c = client();
    const counted = new RedisRateLimiter(c, { keyPrefix: prefix });
    await counted.consume('round-trip', { max: 100, windowMs: 60_000 }); // script cached
    const sent: string[] = [];
    const send = c.sendCommand.bind(c);
    c.sendCommand = ((command: { name: string }) => {
      sent.push(command.name);
      return send(command as never);
    }) as typeof c.sendCommand;
    for (let i = 0; i < 10; i++) await counted.consume('round-trip', { max: 100, windowMs: 60_000 });
    expect(sent).toEqual(Array(10).fill('evalsha'));
  });

  it('leaves nothing behind in Redis after the window', async () => {
    await limiter.consume('ttl', { max: 5, windowMs: 200 });
    expect(await clients[0].pttl(`${prefix}{ttl}`)).toBeGreaterThan(0);
    expect(await clients[0].pttl(`${prefix}{ttl}:s`)).toBeGreaterThan(0);
  });
});
