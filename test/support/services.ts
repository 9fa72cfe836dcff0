import { Client } from 'pg';
import Redis from 'ioredis';

// Tests use the real PostgreSQL and Redis on this machine. Without them, a test that needs one
// prints a SKIPPED line and does nothing; with REQUIRE_SERVICES=1 (set by .ci/run) it fails.
export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

// Read once at load: tests point DATABASE_URL at their own database later.
const ADMIN_DATABASE_URL = process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
export const adminDatabaseUrl = () => ADMIN_DATABASE_URL;
const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
export const testRedisUrl = () => TEST_REDIS_URL;
export const servicesRequired = () => process.env.REQUIRE_SERVICES === '1';

export async function postgresReachable(url = adminDatabaseUrl()): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function redisReachable(url = testRedisUrl()): Promise<boolean> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
