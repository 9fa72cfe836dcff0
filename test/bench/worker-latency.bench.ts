/**
 * Real-time prediction latency through a worker (api with WORKER_URL: the model runs on the
 * worker's internal port, fetched there by its artifact URI) against in-process (the api alone),
 * same machine, same run, same database. Built apps (dist/) in their own processes, as deployed;
 * GraphQL `predict` on the built-in `iris` model (1 instance) with an API key; autocannon in a
 * separate process. The worker's own internal endpoint is measured too (the hop without the api).
 *
 *   npm run build
 *   node --require ./test/bench/register.js test/bench/worker-latency.bench.ts
 *   (BENCH_SECONDS=8 per run, BENCH_CONNECTIONS=16)
 */
import { mkdtempSync, rmSync, symlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { ServiceProcess, startBuilt } from '../support/stack-processes';
import { LoadResult, autocannon, createBenchDatabase, table } from './support/bench-kit';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const ROOT = path.resolve(__dirname, '../..');
const SECRET = 'bench-worker-shared-secret-0123456789';
const FEATURES = [[5.1, 3.5, 1.4, 0.2]];

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { res, json: (await res.json().catch(() => null)) as Record<string, any> | null };
}

/** A fresh DATA_DIR; the built catalog of the checkout reused when there is one (a one-time install step). */
function dataDir(dirs: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-worker-'));
  dirs.push(dir);
  const catalog = path.resolve(ROOT, process.env.DATA_DIR ?? '.data', 'catalog');
  if (existsSync(catalog)) symlinkSync(catalog, path.join(dir, 'catalog'));
  return dir;
}

async function main(): Promise<void> {
  const db = await createBenchDatabase();
  const dirs: string[] = [];
  const procs: ServiceProcess[] = [];
  const common = { NODE_ENV: 'production', LOG_LEVEL: 'warn', DATABASE_URL: db.url, DATABASE_POOL_SIZE: '10' };
  try {
    const worker = await startBuilt('worker', 'worker', {
      ...common,
      DATA_DIR: dataDir(dirs),
      WORKER_SHARED_SECRET: SECRET,
      WORKER_MODE: 'realtime',
    });
    procs.push(worker);
    const alone = await startBuilt('api (in-process)', 'api', { ...common, DATA_DIR: dataDir(dirs) });
    procs.push(alone);
    const remote = await startBuilt('api (WORKER_URL)', 'api', {
      ...common,
      DATA_DIR: dataDir(dirs),
      WORKER_URL: worker.url,
      WORKER_SHARED_SECRET: SECRET,
    });
    procs.push(remote);
    for (const p of procs) await p.ready(180_000);

    const s = await post(`${alone.url}/graphql`, {
      query: `mutation { signUp(input: { email: "bench-worker@example.com", password: "Load-Test-Secret-9", tenantName: "Bench" }) { tenant { id } } }`,
    });
    if (s.json?.errors) throw new Error(`signUp: ${JSON.stringify(s.json)}`);
    const cookies = s.res.headers.getSetCookie().map((c) => c.split(';')[0]!);
    const csrf = cookies.find((c) => c.startsWith('csrf_token='))!.split('=')[1]!;
    const k = await post(
      `${alone.url}/graphql`,
      { query: `mutation { createApiKey(input: { name: "bench", scopes: ["inference:run"] }) { secret } }` },
      { cookie: cookies.join('; '), 'x-csrf-token': csrf },
    );
    const key = k.json!.data.createApiKey.secret as string;
    // Limits raised so rate limit and quota decide (and cost) on every request but never refuse.
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    await pg.query(
      `update plans set "requestsPerMinutePerKey" = 100000000, "requestsPerMinutePerTenant" = 100000000, "maxConcurrentRequests" = 10000, "monthlyIncludedUnits" = 1000000000000, "hardCap" = false`,
    );
    const iris = (await pg.query(`select * from model_versions where "artifactUri" = 'catalog://iris/1'`)).rows[0];
    await pg.end();

    const auth = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
    const body = JSON.stringify({
      query: `mutation($i: PredictInput!) { predict(input: $i) { outputs usage { units } } }`,
      variables: { i: { model: 'iris', inputs: { features: FEATURES } } },
    });
    for (const api of [alone, remote]) {
      const p = await post(`${api.url}/graphql`, JSON.parse(body), auth);
      if (p.json?.errors || !p.json?.data) throw new Error(`${api.name}: ${JSON.stringify(p.json)}`);
    }
    const direct = JSON.stringify({
      model: {
        id: iris.id,
        artifactUri: iris.artifactUri,
        format: iris.format,
        inputs: iris.inputs,
        outputs: (iris.outputs as { name: string; datatype: string; shape: number[] }[]).map(
          ({ name, datatype, shape }) => ({ name, datatype, shape }),
        ),
      },
      inputs: { features: FEATURES },
    });
    const workerHeaders = { 'content-type': 'application/json', 'x-worker-secret': SECRET };
    const check = await post(`${worker.url}/internal/v1/predict`, JSON.parse(direct), workerHeaders);
    if (!check.res.ok) throw new Error(`worker: ${JSON.stringify(check.json)}`);

    const load = { connections: CONNECTIONS, seconds: SECONDS, method: 'POST' };
    const run = (url: string, headers: Record<string, string>, b: string, seconds = SECONDS) =>
      autocannon(url, { ...load, seconds, headers, body: b });
    // Warm-up of each (graphql-jit, pools, the model in the worker's cache).
    await run(`${alone.url}/graphql`, auth, body, 2);
    await run(`${remote.url}/graphql`, auth, body, 2);
    await run(`${worker.url}/internal/v1/predict`, workerHeaders, direct, 2);
    const a = await run(`${alone.url}/graphql`, auth, body);
    const r = await run(`${remote.url}/graphql`, auth, body);
    const w = await run(`${worker.url}/internal/v1/predict`, workerHeaders, direct);
    const row = (name: string, x: LoadResult) => [
      name,
      x.rps.toFixed(0),
      x.p50,
      x.p99,
      x.non2xx + x.errors,
      (x.rps / a.rps).toFixed(3),
      x === a ? '-' : (x.p50 / Math.max(a.p50, 0.5)).toFixed(2),
      x === a ? '-' : (x.p99 / Math.max(a.p99, 0.5)).toFixed(2),
    ];
    table(
      `iris, 1 instance per request, ${CONNECTIONS} connections, ${SECONDS} s each, built apps (dist/), one PostgreSQL`,
      ['path', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx/errors', 'throughput ratio', 'p50 ratio', 'p99 ratio'],
      [
        row('api alone: model in-process (baseline)', a),
        row('api + WORKER_URL: model on the worker', r),
        row('worker internal endpoint alone (no api)', w),
      ],
    );
  } finally {
    await Promise.all(procs.map((p) => p.kill()));
    await db.drop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
