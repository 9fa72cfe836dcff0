import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { adminDatabaseUrl, postgresReachable, redisReachable, servicesRequired, testRedisUrl } from './services';

const ROOT = path.resolve(__dirname, '../..');

/** Name of the template database for the current migrations: changes when a migration does. */
export function templateName(): string {
  const dir = path.join(ROOT, 'prisma/migrations');
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).sort()) {
    if (name.endsWith('.toml') || name.endsWith('.prisma')) continue;
    hash.update(name).update(readFileSync(path.join(dir, name, 'migration.sql')));
  }
  return `mas_template_${hash.digest('hex').slice(0, 12)}`;
}

// Runs once per `jest` run: checks the services, and migrates a template database with the
// project's own migration command so that each test file can clone it in milliseconds.
export default async function globalSetup(): Promise<void> {
  const pg = await postgresReachable();
  const redis = await redisReachable();
  // Workers inherit these: the admin URLs stay fixed while tests repoint DATABASE_URL/REDIS_URL.
  process.env.TEST_DATABASE_URL = adminDatabaseUrl();
  process.env.TEST_REDIS_URL = testRedisUrl();
  process.env.TEST_PG_AVAILABLE = pg ? '1' : '0';
  process.env.TEST_REDIS_AVAILABLE = redis ? '1' : '0';
  if (servicesRequired() && (!pg || !redis)) {
    throw new Error(
      `REQUIRE_SERVICES=1 but ${!pg ? `PostgreSQL (${adminDatabaseUrl()})` : ''}${!pg && !redis ? ' and ' : ''}${!redis ? `Redis (${testRedisUrl()})` : ''} is not reachable`,
    );
  }
  if (!pg) return;
  const template = templateName();
  const admin = new Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [template]);
    if (!rowCount) {
      const building = `${template}_building_${process.pid}`;
      await admin.query(`drop database if exists "${building}"`);
      await admin.query(`create database "${building}"`);
      const url = new URL(adminDatabaseUrl());
      url.pathname = `/${building}`;
      execFileSync(process.execPath, [path.join(ROOT, 'libs/db/migrations/cli.mjs'), 'deploy'], {
        env: { ...process.env, DATABASE_URL: url.toString() },
        stdio: 'inherit',
      });
      // Rename into place: a concurrent run never clones a half-migrated template.
      await admin.query(`alter database "${building}" rename to "${template}"`).catch(async (e) => {
        await admin.query(`drop database if exists "${building}"`);
        if (!/already exists/.test(String(e))) throw e;
      });
    }
    process.env.TEST_TEMPLATE_DB = template;
  } finally {
    await admin.end();
  }
}
