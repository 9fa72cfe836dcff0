import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { needsPostgres } from '../support/database';
import { adminDatabaseUrl } from '../support/services';

const ROOT = path.resolve(__dirname, '../..');
const d = needsPostgres('fresh database e2e') ? describe : describe.skip;

// Started against an empty PostgreSQL database without AUTO_MIGRATE, the api and the worker
// must stop with one line that says what to run, not a Prisma stack trace at the first query.
d('a database without migrations', () => {
  const name = `mas_fresh_${randomBytes(5).toString('hex')}`;
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${name}`;
  const admin = () => new Client({ connectionString: adminDatabaseUrl() });

  beforeAll(async () => {
    if (!existsSync(path.join(ROOT, 'dist/apps/api/src/main.js')))
      execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
    const c = admin();
    await c.connect();
    await c.query(`create database "${name}"`);
    await c.end();
  }, 300_000);
  afterAll(async () => {
    const c = admin();
    await c.connect();
    await c.query(`drop database if exists "${name}" with (force)`);
    await c.end();
  });

  for (const app of ['api', 'worker']) {
    it(`the ${app} exits 1 with one line naming npm run db:migrate and AUTO_MIGRATE=1`, () => {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        DATABASE_URL: url.toString(),
        PORT: '0',
        WORKER_PORT: '0',
        WORKER_SHARED_SECRET: 'x'.repeat(32),
        LOG_LEVEL: 'warn',
      };
      delete env.AUTO_MIGRATE;
      delete env.REDIS_URL;
      const run = spawnSync(process.execPath, [path.join(ROOT, `dist/apps/${app}/src/main.js`)], {
        env,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status).toBe(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/npm run db:migrate/);
      expect(lines[0]).toMatch(/AUTO_MIGRATE=1/);
      expect(run.stderr + run.stdout).not.toMatch(/does not exist|at .*\.js:\d+/);
    });
  }
});
