import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, needsPostgres, type TestDatabase } from '../support/database';
import { ACCOUNT_TEST_DEFAULTS } from '../support/test-app';
import { freePort } from '../support/worker-process';

const d = needsPostgres('ledger crash e2e') ? describe : describe.skip;
const ROOT = path.resolve(__dirname, '../..');
const BODY = JSON.stringify({ instances: [[5.1, 3.5, 1.4, 0.2]] });

/** The api as its own process (TypeScript through the bench register hook), on PostgreSQL. */
async function startApi(db: TestDatabase, dataDir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['-r', path.join(ROOT, 'test/bench/register.js'), path.join(ROOT, 'apps/api/src/main.ts')],
    {
      cwd: ROOT,
      stdio: 'ignore',
      env: {
        PATH: process.env.PATH!,
        HOME: process.env.HOME ?? '/tmp',
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATABASE_URL: db.url,
        DATABASE_POOL_SIZE: '5',
        REDIS_URL: '',
        DATA_DIR: dataDir,
        ...ACCOUNT_TEST_DEFAULTS,
      },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  while (
    !(await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`api did not start (exit ${child.exitCode})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, child };
}

const exited = (child: ChildProcess) =>
  new Promise<void>((r) =>
    child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r()),
  );

async function gqlCall(url: string, query: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { res, json: (await res.json()) as any };
}

/**
 * SIGKILL the api in the middle of a load, start it again: every prediction a client saw
 * answered has its usage record and audit event, usage records == audit events, nothing is
 * billed twice and the tenant's chain verifies.
 */
d('ledger crash safety', () => {
  let db: TestDatabase;
  let pg: Client;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ledger-crash-'));
  beforeAll(async () => {
    db = await createTestDatabase();
    pg = new Client({ connectionString: db.url });
    await pg.connect();
  });
  afterAll(async () => {
    await pg?.end();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answered == billed == audited after a SIGKILL under load', async () => {
    // Before the tenant's first request: plan limits are cached per tenant.
    await pg.query(
      `update plans set "requestsPerMinutePerKey" = 1000000, "requestsPerMinutePerTenant" = 1000000, "maxConcurrentRequests" = 1000`,
    );
    let api = await startApi(db, dataDir);
    const s = await gqlCall(
      api.url,
      `mutation { signUp(input: { email: "owner@example.com", password: "Load-Test-Secret-9", tenantName: "Crash" }) { tenant { id } } }`,
    );
    expect(s.json.errors).toBeUndefined();
    const cookies = s.res.headers.getSetCookie().map((c) => c.split(';')[0]!);
    const csrf = cookies.find((c) => c.startsWith('csrf_token='))!.split('=')[1]!;
    const k = await gqlCall(
      api.url,
      `mutation { createApiKey(input: { name: "load", scopes: ["inference:run", "audit:read"] }) { secret } }`,
      { cookie: cookies.join('; '), 'x-csrf-token': csrf },
    );
    const key = k.json.data.createApiKey.secret as string;

    const answered: string[] = [];
    let n = 0;
    let stop = false;
    const client = async () => {
      while (!stop) {
        const id = `crash-${String(n++).padStart(6, '0')}`;
        const r = await fetch(`${api.url}/v1/models/iris:predict`, {
          method: 'POST',
          body: BODY,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'x-request-id': id },
        }).catch(() => null);
        if (r?.status === 200) answered.push(id);
      }
    };
    const clients = Array.from({ length: 16 }, client);
    const deadline = Date.now() + 60_000;
    while (answered.length < 100 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    api.child.kill('SIGKILL');
    stop = true;
    await Promise.all(clients);
    await exited(api.child);

    api = await startApi(db, dataDir);
    try {
      expect(answered.length).toBeGreaterThanOrEqual(100);
      const usage = (await pg.query(`select "requestId" from usage_records`)).rows.map((r) => r.requestId as string);
      const audits = (
        await pg.query(
          `select "requestId" from audit_events where action = 'inference.predict' and metadata->>'status' = 'succeeded'`,
        )
      ).rows.map((r) => r.requestId as string);
      const billed = new Set(usage);
      expect(answered.filter((id) => !billed.has(id))).toEqual([]);
      expect(billed.size).toBe(usage.length);
      expect(audits.sort()).toEqual([...usage].sort());
      const v = await gqlCall(api.url, '{ verifyAuditChain { ok firstBadSeq } }', { authorization: `Bearer ${key}` });
      expect(v.json.data.verifyAuditChain).toEqual({ ok: true, firstBadSeq: null });
    } finally {
      api.child.kill('SIGTERM');
      await exited(api.child);
    }
  }, 180_000);
});
