import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, needsPostgres, TestDatabase } from '../support/database';
import { StripeFake } from '../support/stripe-fake';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';
import { startWorkerProcess, stopWorkers, WorkerProcess } from '../support/worker-process';

const d = needsPostgres('worker duties e2e') ? describe : describe.skip;

const PREDICT = `mutation($i: PredictInput!) { predict(input: $i) { usage { units } } }`;
const EXPORT = `mutation { exportAuditLog { id toSeq } }`;
const SETOSA = [5.1, 3.5, 1.4, 0.2];

async function until<T>(fn: () => Promise<T> | T, ok: (v: T) => boolean, what: string, extra = () => ''): Promise<T> {
  const deadline = Date.now() + 20_000;
  let v = await fn();
  while (!ok(v)) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; last seen ${JSON.stringify(v)}\n${extra()}`);
    await new Promise((r) => setTimeout(r, 100));
    v = await fn();
  }
  return v;
}

d('background duties: meter-event flusher and audit purge where jobs are consumed', () => {
  let fake: StripeFake;
  const stripeEnv = () => ({
    STRIPE_SECRET_KEY: 'sk_test_fake',
    STRIPE_API_BASE: `http://127.0.0.1:${fake.port}`,
    METER_FLUSH_INTERVAL_MS: '200',
    METER_BACKOFF_BASE_MS: '50',
  });
  beforeAll(async () => {
    fake = await new StripeFake().start();
    fake.addMeter('model_units');
  });
  afterAll(async () => {
    await fake?.stop();
  });

  describe('embedded mode (the api consumes the in-process queue)', () => {
    let t: TestApp;
    let dataDir: string;
    beforeAll(async () => {
      dataDir = await mkdtemp(path.join(os.tmpdir(), 'duties-e2e-'));
      const signingKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      t = await startTestApp({ ...stripeEnv(), DATA_DIR: dataDir, AUDIT_SIGNING_KEY: signingKey });
    }, 120_000);
    afterAll(async () => {
      await t?.close();
      await rm(dataDir, { recursive: true, force: true });
    });

    it("starts the flusher: a pro tenant's prediction reaches Stripe as one meter event", async () => {
      const { BackgroundDuties } = await import('@app/duties');
      expect(t.app.get(BackgroundDuties).running).toEqual({ meterFlusher: true, auditExport: true, auditPurge: true });
      const s = await signUp(t.http, 'Metered');
      // As a finished checkout leaves it (the webhook path has its own tests in billing).
      await t.sql.query(
        `update tenants set "planId" = 'pro', "stripeCustomerId" = 'cus_duties_embedded' where id = $1`,
        [s.tenantId],
      );
      const key = (await createKey(t.http, s, ['inference:run'])).secret;
      const res = await gql(
        t.http,
        PREDICT,
        { i: { model: 'iris', inputs: { features: [SETOSA, SETOSA, SETOSA] } } },
        { key },
      );
      expect(res.body.errors).toBeUndefined();
      const events = await until(
        () => fake.meterEvents().filter((e) => e.customer === 'cus_duties_embedded'),
        (e) => e.length > 0,
        'the meter event',
      );
      expect(events).toEqual([expect.objectContaining({ eventName: 'model_units', value: 3 })]);
      const outbox = await until(
        async () =>
          (await t.sql.query(`select status from meter_event_outbox where "tenantId" = $1`, [s.tenantId])).rows,
        (r) => r[0]?.status === 'SENT',
        'the outbox row to be SENT',
      );
      expect(outbox).toHaveLength(1);
    }, 40_000);

    it('the scheduled purge removes an exported range past retention, as the system, and audits it', async () => {
      const { AuditPurgeScheduler } = await import('@app/duties');
      const s = await signUp(t.http, 'Retained');
      await t.sql.query(`update tenants set "auditRetentionDays" = 180 where id = $1`, [s.tenantId]);
      const x = (await gql(t.http, EXPORT, {}, { session: s })).body.data.exportAuditLog;
      expect(Number(x.toSeq)).toBeGreaterThan(0);
      const run = await t.app.get(AuditPurgeScheduler).runOnce(new Date(Date.now() + 200 * 86_400_000));
      expect(run.failed).toBe(0);
      expect(run.deleted).toBeGreaterThanOrEqual(Number(x.toSeq));
      const purge = (
        await t.sql.query(
          `select "actorType", "actorId", metadata from audit_events where "tenantId" = $1 and action = 'audit.purge'`,
          [s.tenantId],
        )
      ).rows;
      expect(purge).toEqual([expect.objectContaining({ actorType: 'system', actorId: 'audit-retention' })]);
      expect(Number(purge[0].metadata.throughSeq)).toBe(Number(x.toSeq));
      // Again: nothing left to purge, nothing appended.
      expect((await t.app.get(AuditPurgeScheduler).runOnce(new Date(Date.now() + 200 * 86_400_000))).deleted).toBe(0);
    }, 30_000);
  });

  describe('a worker process', () => {
    let db: TestDatabase;
    let pg: Client;
    const children: WorkerProcess[] = [];
    beforeAll(async () => {
      db = await createTestDatabase();
      pg = new Client({ connectionString: db.url });
      await pg.connect();
    });
    afterAll(async () => {
      await stopWorkers(children);
      await pg?.end();
      await db?.drop();
    });

    it('flushes the outbox to Stripe, and stops the flusher and exits 0 on SIGTERM', async () => {
      await pg.query(
        `insert into tenants (id, name, "planId", "stripeCustomerId") values ('ten_duties_w', 'Worker billed', 'pro', 'cus_duties_worker')`,
      );
      await pg.query(
        `insert into meter_event_outbox (id, "tenantId", identifier, "eventName", "customerId", value, timestamp) values ('obx_duties_w', 'ten_duties_w', 'mev_duties_w', 'model_units', 'cus_duties_worker', 7, now())`,
      );
      const w = await startWorkerProcess({
        ...stripeEnv(),
        DATABASE_URL: db.url,
        DATABASE_POOL_SIZE: '3',
        AUDIT_PURGE_INTERVAL_MS: '0',
      });
      children.push(w);
      await w.ready(60_000);
      const events = await until(
        () => fake.meterEvents().filter((e) => e.customer === 'cus_duties_worker'),
        (e) => e.length > 0,
        'the worker to flush',
        w.output,
      );
      expect(events).toEqual([expect.objectContaining({ identifier: 'mev_duties_w', value: 7 })]);
      expect(w.output()).toContain('meter-event flusher on, audit purge off');
      w.kill('SIGTERM');
      expect(await w.exited()).toBe(0);
    }, 60_000);
  });
});
