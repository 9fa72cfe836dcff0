/**
 * The metered path against the server under it (issue: the inference ledger). Each platform
 * configuration is its own api process (apps/api/src/main.ts), loaded by autocannon (its own
 * process) with 32 connections; the baseline is a bare node:http server answering the same JSON
 * in the same run. Then the crash test: SIGKILL the api under load, start it again, and check
 * that every answered prediction is billed and audited once.
 *
 * Then monitoring's share of it: the same load on two api processes over one database, one with
 * MONITORING_ENABLED=false, interleaved (off, on, off, on, ...), and the throughput ratio.
 *
 *   node --require ./test/bench/register.js test/bench/ledger.bench.ts
 *   (BENCH_SECONDS=6 per run; BENCH_ROUNDS=3 monitoring pairs; BENCH_ONLY=load|monitoring|crash;
 *   needs PostgreSQL and Redis)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort, startWorkerProcess } from '../support/worker-process';
import { autocannon, createBenchDatabase, median, table, type LoadResult } from './support/bench-kit';

const ROOT = path.resolve(__dirname, '../..');
const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROW = [5.1, 3.5, 1.4, 0.2];
const LIMITS = `update plans set "requestsPerMinutePerKey" = 100000000, "requestsPerMinutePerTenant" = 100000000, "maxConcurrentRequests" = 10000, "monthlyIncludedUnits" = 1000000000000`;
const BODIES = {
  tfs: { path: '/v1/models/iris:predict', body: JSON.stringify({ instances: [ROW] }) },
  oip: {
    path: '/v2/models/iris/infer',
    body: JSON.stringify({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: ROW }] }),
  },
  gql: {
    path: '/graphql',
    body: JSON.stringify({
      query: 'mutation($i: PredictInput!) { predict(input: $i) { outputs version usage { units } } }',
      variables: { i: { model: 'iris', inputs: { features: [ROW] } } },
    }),
  },
};

interface Api {
  url: string;
  child: ChildProcess;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

async function startApi(env: Record<string, string>): Promise<Api> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['-r', path.join(ROOT, 'test/bench/register.js'), path.join(ROOT, 'apps/api/src/main.ts')],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        PATH: process.env.PATH!,
        HOME: process.env.HOME ?? '/tmp',
        NODE_ENV: 'production',
        LOG_LEVEL: 'error',
        HOST: '127.0.0.1',
        PORT: String(port),
        COOKIE_SECURE: 'false',
        // A load test signs up many tenants from one address, none of them verified by e-mail.
        FREE_UNITS_NEED_VERIFIED_EMAIL: '0',
        AUTH_SIGNUPS_PER_IP_PER_HOUR: '100000',
        ...env,
      },
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (
    !(await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`api did not start (${child.exitCode})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    stop: (signal = 'SIGTERM') =>
      new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', () => r()), child.kill(signal)))),
  };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { res, json: (await res.json().catch(() => null)) as Record<string, any> | null };
}

async function keyFor(url: string, email: string): Promise<string> {
  const s = await post(`${url}/graphql`, {
    query: `mutation { signUp(input: { email: "${email}", password: "Load-Test-Secret-9", tenantName: "Bench" }) { tenant { id } } }`,
  });
  if (s.json?.errors) throw new Error(`signUp: ${JSON.stringify(s.json)}`);
  const cookies = s.res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const csrf = cookies.find((c) => c.startsWith('csrf_token='))!.split('=')[1]!;
  const k = await post(
    `${url}/graphql`,
    {
      query: `mutation { createApiKey(input: { name: "bench", scopes: ["inference:run", "audit:read"] }) { secret } }`,
    },
    { cookie: cookies.join('; '), 'x-csrf-token': csrf },
  );
  return k.json!.data.createApiKey.secret as string;
}

/** Load split over one autocannon per key (one tenant each), 32 connections in all. */
async function load(url: string, keys: string[], which: keyof typeof BODIES, seconds = SECONDS): Promise<LoadResult> {
  const per = Math.max(1, Math.floor(CONNECTIONS / keys.length));
  const runs = await Promise.all(
    keys.map((key) =>
      autocannon(url + BODIES[which].path, {
        connections: per,
        seconds,
        method: 'POST',
        body: BODIES[which].body,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      }),
    ),
  );
  return {
    rps: runs.reduce((n, r) => n + r.rps, 0),
    p50: Math.max(...runs.map((r) => r.p50)),
    p99: Math.max(...runs.map((r) => r.p99)),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
  };
}

async function bareServer(answer: string): Promise<{ url: string; close(): void }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(answer));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() };
}

async function loadTable(): Promise<void> {
  const db = await createBenchDatabase();
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  const secret = 'bench-worker-secret-0123456789';
  const common = {
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '10',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'ledger-bench-')),
  };
  const rows: (string | number)[][] = [];
  let api = await startApi({ ...common, REDIS_URL, AUTO_MIGRATE: '1' });
  await pg.query(LIMITS);
  const keys = [await keyFor(api.url, 'one@example.com')];
  for (let i = 0; i < 15; i++) keys.push(await keyFor(api.url, `t${i}@example.com`));
  const answer = (
    await post(api.url + BODIES.tfs.path, JSON.parse(BODIES.tfs.body), { authorization: `Bearer ${keys[0]}` })
  ).json;
  const bare = await bareServer(JSON.stringify(answer));
  await autocannon(bare.url, { connections: CONNECTIONS, seconds: 2, method: 'POST', body: BODIES.tfs.body });
  const b = await autocannon(bare.url, {
    connections: CONNECTIONS,
    seconds: SECONDS,
    method: 'POST',
    body: BODIES.tfs.body,
  });
  const row = (name: string, r: LoadResult) =>
    rows.push([name, r.rps.toFixed(0), r.p50, r.p99, r.non2xx + r.errors, (r.rps / b.rps).toFixed(3)]);
  row('bare node:http, same JSON (baseline)', b);
  await load(api.url, [keys[0]], 'tfs', 2); // warm-up: model, pools, graphql-jit
  for (const which of ['tfs', 'oip', 'gql'] as const)
    row(`${which}: PostgreSQL + Redis, 1 tenant`, await load(api.url, [keys[0]], which));
  row('tfs: PostgreSQL + Redis, 16 tenants', await load(api.url, keys, 'tfs'));
  row('gql: PostgreSQL + Redis, 16 tenants', await load(api.url, keys, 'gql'));
  await api.stop();

  const worker = await startWorkerProcess({
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '3',
    WORKER_SHARED_SECRET: secret,
    JOBS_CONSUME: '0',
  });
  await worker.ready(120_000);
  api = await startApi({ ...common, REDIS_URL, WORKER_URL: worker.url, WORKER_SHARED_SECRET: secret });
  await load(api.url, [keys[0]], 'tfs', 2);
  row('tfs: PostgreSQL + Redis, WORKER_URL (model on a worker process)', await load(api.url, [keys[0]], 'tfs'));
  await api.stop();
  worker.kill('SIGTERM');

  const embedded = mkdtempSync(path.join(tmpdir(), 'ledger-embedded-'));
  api = await startApi({ DATA_DIR: embedded });
  const ek = await keyFor(api.url, 'embedded@example.com');
  await load(api.url, [ek], 'tfs', 2);
  row('tfs: embedded (PGlite, in-process limits)', await load(api.url, [ek], 'tfs'));
  await api.stop();
  rmSync(embedded, { recursive: true, force: true });

  const billed = (await pg.query(`select count(*)::int as n from usage_records`)).rows[0].n;
  const audited = (await pg.query(`select count(*)::int as n from audit_events where action = 'inference.predict'`))
    .rows[0].n;
  table(
    `iris, 1 instance per request, ${CONNECTIONS} connections, ${SECONDS} s each (PostgreSQL runs: ${billed} usage records, ${audited} audit events)`,
    ['configuration', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx/errors', 'ratio to bare'],
    rows,
  );
  bare.close();
  await pg.end();
  await db.drop();
}

/**
 * Monitoring on against off on the ledger's load: two api processes over one database and Redis,
 * identical but for MONITORING_ENABLED, loaded in turn (off, on, off, on, ...) so that the noise
 * of a shared machine falls on both alike. The idle one only keeps its timers.
 */
async function monitoringTable(): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
  const db = await createBenchDatabase();
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  const common = { DATABASE_URL: db.url, DATABASE_POOL_SIZE: '10', REDIS_URL, MONITORING_FLUSH_MS: '1000' };
  const on = await startApi({ ...common, AUTO_MIGRATE: '1', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'mon-on-')) });
  const off = await startApi({
    ...common,
    MONITORING_ENABLED: 'false',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'mon-off-')),
  });
  await pg.query(LIMITS);
  const keys = [await keyFor(on.url, 'mon@example.com')];
  const rows: (string | number)[][] = [];
  for (const which of ['tfs', 'gql'] as const) {
    const rps = { off: [] as number[], on: [] as number[] };
    const p99 = { off: [] as number[], on: [] as number[] };
    let failed = 0;
    for (const api of [off, on]) await load(api.url, keys, which, 2); // warm-up
    for (let i = 0; i < rounds; i++) {
      for (const [name, api] of [
        ['off', off],
        ['on', on],
      ] as const) {
        const r = await load(api.url, keys, which);
        rps[name].push(r.rps);
        p99[name].push(r.p99);
        failed += r.non2xx + r.errors;
      }
    }
    const ratio = median(rps.on) / median(rps.off);
    for (const name of ['off', 'on'] as const)
      rows.push([
        `${which}: monitoring ${name}`,
        rps[name].map((x) => x.toFixed(0)).join(' / '),
        median(rps[name]).toFixed(0),
        median(p99[name]),
        failed,
        name === 'off' ? '1.000' : ratio.toFixed(3),
        name === 'off' ? '' : `${((1 - ratio) * 100).toFixed(1)} %`,
      ]);
  }
  await new Promise((r) => setTimeout(r, 1500)); // the on process's last flush
  const recorded = (await pg.query(`select coalesce(sum(calls), 0)::int as n from model_metric_minutes`)).rows[0].n;
  table(
    `monitoring on vs off: iris, 1 instance per request, ${CONNECTIONS} connections, ${rounds} x (off, on), ${SECONDS} s each (calls in model_metric_minutes, written by the on process only: ${recorded})`,
    ['configuration', 'req/s per run', 'median req/s', 'median p99 ms', 'non-2xx/errors', 'ratio to off', 'loss'],
    rows,
  );
  await Promise.all([on.stop(), off.stop()]);
  await pg.end();
  await db.drop();
}

/** SIGKILL under load, restart: answered == billed == audited, nothing twice, the chain verifies. */
async function crash(): Promise<void> {
  const db = await createBenchDatabase();
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  const env = {
    DATABASE_URL: db.url,
    DATABASE_POOL_SIZE: '10',
    REDIS_URL,
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'ledger-crash-')),
  };
  let api = await startApi(env);
  await pg.query(LIMITS);
  const key = await keyFor(api.url, 'crash@example.com');
  const answered: string[] = [];
  let failed = 0;
  let n = 0;
  let stop = false;
  const client = async () => {
    while (!stop) {
      const id = `crash-${String(n++).padStart(6, '0')}`;
      try {
        const r = await fetch(api.url + BODIES.tfs.path, {
          method: 'POST',
          body: BODIES.tfs.body,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'x-request-id': id },
        });
        if (r.status === 200) answered.push(id);
        else failed++;
      } catch {
        failed++;
      }
    }
  };
  const clients = Array.from({ length: CONNECTIONS }, client);
  await new Promise((r) => setTimeout(r, 3000));
  await api.stop('SIGKILL');
  stop = true;
  await Promise.all(clients);
  api = await startApi(env);
  const usage = (await pg.query(`select "requestId" from usage_records`)).rows.map((r) => r.requestId as string);
  const audits = (
    await pg.query(
      `select count(*)::int as n from audit_events where action = 'inference.predict' and metadata->>'status' = 'succeeded'`,
    )
  ).rows[0].n;
  const billed = new Set(usage);
  const lost = answered.filter((id) => !billed.has(id)).length;
  const verify = await post(
    `${api.url}/graphql`,
    { query: '{ verifyAuditChain { ok checked } }' },
    { authorization: `Bearer ${key}` },
  );
  table(
    'crash test: 32 clients for 3 s, SIGKILL, restart (PostgreSQL + Redis)',
    [
      'answered 200',
      'failed / cut off',
      'usage records',
      'audit events',
      'answered but not billed',
      'billed twice',
      'chain verifies',
    ],
    [
      [
        answered.length,
        failed,
        usage.length,
        audits,
        lost,
        usage.length - billed.size,
        String(verify.json?.data?.verifyAuditChain?.ok ?? verify.json?.errors?.[0]?.message),
      ],
    ],
  );
  await api.stop();
  await pg.end();
  await db.drop();
}

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY;
  if (!only || only === 'load') await loadTable();
  if (!only || only === 'monitoring') await monitoringTable();
  if (!only || only === 'crash') await crash();
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
