import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { needsRedis } from '../../../../test/support/database';
import { testRedisUrl } from '../../../../test/support/services';
import type { ConcurrencyLimiter } from './concurrency-limiter';
import { InMemoryConcurrencyLimiter } from './in-memory-concurrency-limiter';
import { RedisConcurrencyLimiter } from './redis-concurrency-limiter';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const redisUp = needsRedis('concurrency-limiter.spec (Redis half)');
let redis: Redis | undefined;
const prefix = `test:cc:${randomBytes(4).toString('hex')}:`;
const memory = new InMemoryConcurrencyLimiter();

afterAll(async () => {
  memory.close();
  if (!redis) return;
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

const cases: Array<[string, () => ConcurrencyLimiter]> = [['in-memory', () => memory]];
if (redisUp) {
  cases.push([
    'redis',
    () => {
      redis ??= new Redis(testRedisUrl());
      return new RedisConcurrencyLimiter(redis, { keyPrefix: prefix });
    },
  ]);
}

describe.each(cases)('%s concurrency limiter', (_name, make) => {
  let slots: ConcurrencyLimiter;
  beforeAll(() => {
    slots = make();
  });

  it('grants at most max leases to 50 concurrent acquirers', async () => {
    const decisions = await Promise.all(
      Array.from({ length: 50 }, () => slots.acquire('burst', { max: 3, ttlMs: 60_000 })),
    );
    expect(decisions.filter((x) => x.acquired)).toHaveLength(3);
    expect(decisions.filter((x) => !x.acquired).every((x) => x.active === 3 && !x.lease)).toBe(true);
  });

  it('frees a slot on release', async () => {
    const limit = { max: 1, ttlMs: 60_000 };
    const held = await slots.acquire('release', limit);
    expect((await slots.acquire('release', limit)).acquired).toBe(false);
    await slots.release(held.lease!);
    expect((await slots.acquire('release', limit)).acquired).toBe(true);
  });

  it('frees a slot whose holder never released it once the TTL lapses', async () => {
    const limit = { max: 1, ttlMs: 150 };
    await slots.acquire('crash', limit);
    expect((await slots.acquire('crash', limit)).acquired).toBe(false);
    await sleep(200);
    expect((await slots.acquire('crash', limit)).acquired).toBe(true);
  });

  it('keeps a heartbeating lease, and reports one that already lapsed', async () => {
    const limit = { max: 1, ttlMs: 150 };
    const held = (await slots.acquire('beat', limit)).lease!;
    expect(await slots.extend(held, 60_000)).toBe(true);
    await sleep(200);
    expect((await slots.acquire('beat', limit)).acquired).toBe(false);

    const lapsed = (await slots.acquire('beat-lapsed', { max: 1, ttlMs: 50 })).lease!;
    await sleep(100);
    expect(await slots.extend(lapsed, 60_000)).toBe(false);
  });

  it('keeps keys apart', async () => {
    const limit = { max: 1, ttlMs: 60_000 };
    expect((await slots.acquire('tenant-a', limit)).acquired).toBe(true);
    expect((await slots.acquire('tenant-b', limit)).acquired).toBe(true);
  });
});
