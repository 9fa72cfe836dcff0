import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { loadConfig } from '@app/common';
import { createPrismaService, type PrismaService } from '@app/db';
import { MeteringService, UsageRollupService } from '@app/metering';
import { StripeFake } from '../support/stripe-fake';
import { createTestDatabase, needsPostgres, type TestDatabase } from '../support/database';

const d = needsPostgres('billing chaos e2e') ? describe : describe.skip;
const ROOT = path.resolve(__dirname, '../..');
const USAGE_RECORDS = 1200;
const KILLS = 20;

d('billing: meter events reach Stripe exactly once under faults and SIGKILLed flushers', () => {
  let db: TestDatabase;
  let pg: Client;
  let prisma: PrismaService;
  let fake: StripeFake;
  beforeAll(async () => {
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    prisma = await createPrismaService(
      loadConfig({ DATABASE_URL: db.url, DATABASE_POOL_SIZE: '4' } as NodeJS.ProcessEnv),
    );
    fake = await new StripeFake().start();
    fake.addMeter('model_units');
  });
  afterAll(async () => {
    await fake.stop();
    await prisma.$disconnect();
    await pg.end();
    await db.drop();
  });

  function startFlusher(): { child: ChildProcess; firstBatch: Promise<void> } {
    const child = spawn(
      process.execPath,
      ['--require', './test/bench/register.js', 'test/support/billing-flusher-child.ts'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          NODE_ENV: 'test',
          REDIS_URL: '',
          DATABASE_URL: db.url,
          DATABASE_POOL_SIZE: '4',
          STRIPE_SECRET_KEY: 'sk_test_fake',
          STRIPE_API_BASE: `http://127.0.0.1:${fake.port}`,
          STRIPE_TIMEOUT_MS: '300',
          METER_FLUSH_BATCH_SIZE: '10',
          METER_FLUSH_CONCURRENCY: '4',
          METER_CLAIM_MS: '400',
          METER_BACKOFF_BASE_MS: '20',
          METER_BACKOFF_MAX_MS: '200',
          METER_MAX_ATTEMPTS: '1000',
        },
      },
    );
    let stderr = '';
    child.stderr!.on('data', (b) => (stderr += b));
    const firstBatch = new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', () => resolve());
      child.once('exit', (code, signal) =>
        signal === 'SIGKILL' ? resolve() : reject(new Error(`flusher exited ${code}: ${stderr}`)),
      );
    });
    return { child, firstBatch };
  }

  const kill = (child: ChildProcess) =>
    new Promise<void>((resolve) =>
      child.exitCode !== null || child.signalCode
        ? resolve()
        : (child.once('exit', () => resolve()), child.kill('SIGKILL')),
    );
  const pending = async () =>
    Number((await pg.query(`select count(*) from meter_event_outbox where status <> 'SENT'`)).rows[0].count);

  it('bills the ledger exactly: totals equal, no identifier twice, nothing dead', async () => {
    const customers = ['cus_chaos_a', 'cus_chaos_b', 'cus_chaos_c'];
    const tenants: string[] = [];
    for (const [i, customer] of customers.entries()) {
      const id = `ten_chaos_${i}`;
      await pg.query(`insert into tenants (id, name, "planId", "stripeCustomerId") values ($1, $2, 'pro', $3)`, [
        id,
        `Chaos ${i}`,
        customer,
      ]);
      tenants.push(id);
    }
    const metering = new MeteringService(new UsageRollupService(prisma as never));
    for (let i = 0; i < USAGE_RECORDS; i += 100) {
      await prisma.$transaction(async (tx) => {
        for (let j = i; j < i + 100; j++) {
          await metering.record(tx, {
            tenantId: tenants[j % 3],
            apiKeyId: null,
            userId: null,
            modelId: 'mdl_x',
            modelVersionId: 'mv_x',
            requestId: `req_${j}`,
            idempotencyKey: `req_${j}`,
            units: 1 + (j % 17),
            instances: 1,
            computeMs: 1,
            batchSize: 1,
          });
        }
      });
    }
    fake.setFaults({
      rate: 0.3,
      kinds: ['500', '429', 'timeout', 'drop-before', 'drop-after'],
      seed: 7,
      retryAfterSeconds: 0,
    });

    let kills = 0;
    while (kills < KILLS && (await pending()) > 0) {
      const { child, firstBatch } = startFlusher();
      await firstBatch;
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 120)));
      await kill(child);
      kills++;
    }
    const { child } = startFlusher();
    for (let waited = 0; (await pending()) > 0 && waited < 120_000; waited += 250)
      await new Promise((r) => setTimeout(r, 250));
    await kill(child);

    expect(kills).toBeGreaterThanOrEqual(KILLS);
    const statuses = await pg.query(`select status, count(*)::int n from meter_event_outbox group by status`);
    expect(statuses.rows).toEqual([{ status: 'SENT', n: USAGE_RECORDS }]);
    const identifiers = fake.meterEventIdentifiers();
    expect(new Set(identifiers).size).toBe(identifiers.length);
    expect(identifiers).toHaveLength(USAGE_RECORDS);
    const ledger = await pg.query(
      `select t."stripeCustomerId" c, sum(u.units)::int units from usage_records u join tenants t on t.id = u."tenantId" group by 1`,
    );
    expect(fake.meterTotals('model_units')).toEqual(Object.fromEntries(ledger.rows.map((r) => [r.c, r.units])));
    expect(fake.requests().some((r) => r.fault === 'drop-after')).toBe(true);
  }, 600_000);
});
