/**
 * Rate-limiter benchmark: decisions per second and p50/p99 latency of RedisRateLimiter (one
 * EVALSHA per decision), the FailoverRateLimiter around it (what the API uses), and the
 * in-process InMemoryRateLimiter, at concurrency 1 and 64. Each is compared with a baseline
 * measured in the same run: a bare Redis PING round trip for Redis, a no-op async call for
 * in-process. Then 200 concurrent clients on one key with limit N must admit exactly N.
 *
 *   node --require ./test/bench/register.js test/bench/rate-limit.bench.ts
 *
 * Env: REDIS_URL (redis://127.0.0.1:6379), BENCH_SECONDS per scenario (1.5). Never a pass/fail
 * test on timing; exits 1 only if the admission check fails.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { FailoverRateLimiter, InMemoryRateLimiter, RedisRateLimiter, type RateLimiter } from '@app/quotas/rate-limit';

const REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1.5);
const PREFIX = `bench:rl:${randomBytes(4).toString('hex')}:`;
// Many tenants, none of them limited: measures the cost of a decision, not of a denial.
const KEYS = 256;
const OPEN_LIMIT = { max: 1_000_000, windowMs: 60_000 };

interface Result {
  name: string;
  concurrency: number;
  ops: number;
  perSecond: number;
  p50: number;
  p99: number;
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

async function measure(name: string, concurrency: number, op: (i: number) => Promise<unknown>): Promise<Result> {
  for (let i = 0; i < 200; i++) await op(i); // warm-up: script load, JIT, connections
  const latencies: number[] = [];
  let counter = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await op(counter++);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    name,
    concurrency,
    ops: latencies.length,
    perSecond: latencies.length / elapsed,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
  };
}

function table(rows: Array<{ r: Result; base: Result }>): string {
  const head = ['scenario', 'conc', 'decisions/s', 'p50 µs', 'p99 µs', 'rate vs base', 'p50 vs base', 'p99 vs base'];
  const lines = rows.map(({ r, base }) => [
    r.name,
    String(r.concurrency),
    Math.round(r.perSecond).toLocaleString('en-US'),
    (r.p50 * 1000).toFixed(1),
    (r.p99 * 1000).toFixed(1),
    r === base ? 'baseline' : `${(r.perSecond / base.perSecond).toFixed(2)}x`,
    r === base ? '' : `${(r.p50 / base.p50).toFixed(2)}x`,
    r === base ? '' : `${(r.p99 / base.p99).toFixed(2)}x`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [fmt(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(fmt)].join('\n');
}

/** 200 clients (20 connections x 10 in flight) on one key with limit N: exactly N admitted. */
async function admissionCheck(name: string, makeLimiter: () => RateLimiter, max: number): Promise<boolean> {
  const limiters = Array.from({ length: 20 }, makeLimiter);
  const key = `admission-${randomBytes(4).toString('hex')}`;
  const decisions = await Promise.all(
    Array.from({ length: 200 }, (_, i) => limiters[i % 20].consume(key, { max, windowMs: 60_000 })),
  );
  const admitted = decisions.filter((d) => d.allowed).length;
  const ok = admitted === max;
  console.log(`${ok ? 'OK  ' : 'FAIL'} ${name}: 200 concurrent clients, limit ${max}: ${admitted} admitted`);
  return ok;
}

async function main(): Promise<void> {
  const redis = new Redis(REDIS_URL, { enableOfflineQueue: true, maxRetriesPerRequest: 1 });
  const connections: Redis[] = [redis];
  const redisLimiter = new RedisRateLimiter(redis, { keyPrefix: PREFIX });
  const failover = new FailoverRateLimiter(redisLimiter, { timeoutMs: 250 });
  const memory = new InMemoryRateLimiter();
  const noop = async (_i: number) => undefined;
  const rows: Array<{ r: Result; base: Result }> = [];

  try {
    console.log(`rate-limit bench: ${SECONDS}s per scenario, Redis ${REDIS_URL}, node ${process.version}\n`);
    for (const concurrency of [1, 64]) {
      const ping = await measure('redis PING (baseline)', concurrency, () => redis.ping());
      rows.push({ r: ping, base: ping });
      rows.push({
        r: await measure('RedisRateLimiter.consume', concurrency, (i) =>
          redisLimiter.consume(`t${i % KEYS}`, OPEN_LIMIT),
        ),
        base: ping,
      });
      rows.push({
        r: await measure('FailoverRateLimiter(Redis).consume', concurrency, (i) =>
          failover.consume(`t${i % KEYS}`, OPEN_LIMIT),
        ),
        base: ping,
      });
    }
    for (const concurrency of [1, 64]) {
      const base = await measure('no-op async (baseline)', concurrency, noop);
      rows.push({ r: base, base });
      rows.push({
        r: await measure('InMemoryRateLimiter.consume', concurrency, (i) => memory.consume(`t${i % KEYS}`, OPEN_LIMIT)),
        base,
      });
    }
    console.log(table(rows));
    console.log();

    const okRedis = await admissionCheck(
      'Redis',
      () => {
        const c = new Redis(REDIS_URL);
        connections.push(c);
        return new RedisRateLimiter(c, { keyPrefix: PREFIX });
      },
      37,
    );
    const shared = new InMemoryRateLimiter();
    const okMemory = await admissionCheck('in-process', () => shared, 37);
    shared.close();
    if (!okRedis || !okMemory) process.exitCode = 1;
  } finally {
    const keys = await redis.keys(`${PREFIX}*`);
    for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
    memory.close();
    await Promise.all(connections.map((c) => c.quit()));
  }
}

void main();
