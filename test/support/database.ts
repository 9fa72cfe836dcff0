import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { adminDatabaseUrl, servicesRequired } from './services';

/**
 * True when PostgreSQL is reachable. Otherwise prints SKIPPED (or fails with REQUIRE_SERVICES=1).
 * Use as: `const d = needsPostgres('file name') ? describe : describe.skip;`
 */
export function needsPostgres(what: string): boolean {
  if (process.env.TEST_PG_AVAILABLE === '1') return true;
  if (servicesRequired()) throw new Error(`${what}: PostgreSQL required (REQUIRE_SERVICES=1) but not reachable`);
  console.warn(`SKIPPED ${what}: PostgreSQL not reachable at ${adminDatabaseUrl()}`);
  return false;
}

export function needsRedis(what: string): boolean {
  if (process.env.TEST_REDIS_AVAILABLE === '1') return true;
  if (servicesRequired()) throw new Error(`${what}: Redis required (REQUIRE_SERVICES=1) but not reachable`);
  console.warn(`SKIPPED ${what}: Redis not reachable`);
  return false;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A fresh, migrated database of its own for one test file (cloned from the template). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = process.env.TEST_TEMPLATE_DB;
  if (!template) throw new Error('no template database: did global setup run with PostgreSQL up?');
  const name = `mas_test_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  try {
    await admin.query(`create database "${name}" template "${template}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const c = new Client({ connectionString: adminDatabaseUrl() });
      await c.connect();
      try {
        await c.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
