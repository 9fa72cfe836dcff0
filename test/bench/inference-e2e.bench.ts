/**
 * End-to-end inference cost: GraphQL `predict` and OIP v2 `infer` on the built-in `iris` model,
 * over HTTP with an API key (auth, rate limit, quota hold, usage + quota + audit transaction),
 * against a bare node:http server calling the same model directly through InferenceRuntime.
 * 32 connections, autocannon in a separate process. Then cold start: `node dist/apps/api/src/main.js`
 * (embedded PGlite, fresh DATA_DIR apart from the reused catalog) to the first successful prediction.
 *
 *   npm run build   # for the cold-start part (skipped when dist/ is missing)
 *   node --require ./test/bench/register.js test/bench/inference-e2e.bench.ts
 *   (BENCH_SECONDS=8 per run; BENCH_ONLY=load|cold runs one part)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { InferenceRuntime } from '@app/inference';
import { ModelRegistry } from '@app/models';
import { autocannon, createBenchDatabase, table } from './support/bench-kit';

const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROOT = path.resolve(__dirname, '../..');
const FEATURES = [[5.1, 3.5, 1.4, 0.2]];

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { res, json: (await res.json().catch(() => null)) as Record<string, any> | null };
}

/** Signs up and creates an inference key on a running server; returns the key. */
async function keyFor(url: string, email: string): Promise<string> {
  const s = await post(`${url}/graphql`, {
    query: `mutation { signUp(input: { email: "${email}", password: "Load-Test-Secret-9", tenantName: "Bench" }) { tenant { id } } }`,
  });
  if (!s.res.ok || s.json?.errors) throw new Error(`signUp: ${JSON.stringify(s.json)}`);
  const cookies = s.res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const csrf = cookies.find((c) => c.startsWith('csrf_token='))!.split('=')[1]!;
  const k = await post(
    `${url}/graphql`,
    { query: `mutation { createApiKey(input: { name: "bench", scopes: ["inference:run"] }) { secret } }` },
    { cookie: cookies.join('; '), 'x-csrf-token': csrf },
  );
  return k.json!.data.createApiKey.secret as string;
}

async function throughput(): Promise<void> {
  const db = await createBenchDatabase();
  Object.assign(process.env, {
    DATABASE_URL: db.url,
    LOG_LEVEL: 'silent',
    NODE_ENV: 'production',
    REDIS_URL: '',
    DATABASE_POOL_SIZE: '10',
  });
  const { createApp } = await import('../../apps/api/src/app.factory');
  const app = await createApp({ logger: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  const key = await keyFor(url, 'bench@example.com');
  // Limits raised so rate limit and quota decide (and cost) on every request but never refuse.
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  await pg.query(
    `update plans set "requestsPerMinutePerKey" = 100000000, "requestsPerMinutePerTenant" = 100000000, "maxConcurrentRequests" = 10000, "monthlyIncludedUnits" = 1000000000000, "hardCap" = false`,
  );

  // The bare baseline: same model version, same runtime class, no platform around it.
  const tenantId = (await pg.query(`select id from tenants limit 1`)).rows[0].id as string;
  const { spec } = await app.get(ModelRegistry).resolve(tenantId, 'iris');
  const runtime = new InferenceRuntime();
  await runtime.init();
  const bare = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString());
        const out = await runtime.predict(spec, body.inputs);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ outputs: out.outputs }));
      } catch (e) {
        res.writeHead(400).end(JSON.stringify({ error: (e as Error).message }));
      }
    });
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', () => r()));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/`;

  const auth = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  const gqlBody = JSON.stringify({
    query: `mutation($i: PredictInput!) { predict(input: $i) { outputs version usage { units } } }`,
    variables: { i: { model: 'iris', inputs: { features: FEATURES } } },
  });
  const oipBody = JSON.stringify({
    inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: FEATURES[0] }],
  });
  const check = await post(`${url}/v2/models/iris/infer`, JSON.parse(oipBody), auth);
  if (!check.res.ok) throw new Error(`infer: ${JSON.stringify(check.json)}`);

  const load = { connections: CONNECTIONS, seconds: SECONDS, method: 'POST' };
  await autocannon(`${url}/graphql`, { ...load, seconds: 2, headers: auth, body: gqlBody }); // warm-up (graphql-jit, pools)
  await autocannon(bareUrl, {
    ...load,
    seconds: 2,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: { features: FEATURES } }),
  });
  const b = await autocannon(bareUrl, {
    ...load,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ inputs: { features: FEATURES } }),
  });
  const g = await autocannon(`${url}/graphql`, { ...load, headers: auth, body: gqlBody });
  const o = await autocannon(`${url}/v2/models/iris/infer`, { ...load, headers: auth, body: oipBody });
  const usage = (await pg.query(`select count(*) as n from usage_records`)).rows[0].n;
  const row = (name: string, r: typeof b) => [
    name,
    r.rps.toFixed(0),
    r.p50,
    r.p99,
    r.non2xx + r.errors,
    (r.rps / b.rps).toFixed(3),
    r === b ? '-' : r.p50 - b.p50,
    r === b ? '-' : r.p99 - b.p99,
  ];
  table(
    `iris, 1 instance per request, ${CONNECTIONS} connections, ${SECONDS} s each (usage rows written: ${usage})`,
    ['server', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx/errors', 'throughput ratio', 'added p50 ms', 'added p99 ms'],
    [
      row('bare node:http + InferenceRuntime (baseline)', b),
      row('GraphQL predict (API key, full path)', g),
      row('OIP v2 infer (API key, full path)', o),
    ],
  );
  await pg.end();
  bare.close();
  runtime.onModuleDestroy();
  await app.close();
  await db.drop();
}

/** Process start to first successful prediction, embedded database, built-in catalog reused. */
async function coldStart(): Promise<void> {
  const main = path.join(ROOT, 'dist/apps/api/src/main.js');
  if (!existsSync(main)) return void console.log('\ncold start: skipped (run `npm run build` first)');
  const dataDir = mkdtempSync(path.join(tmpdir(), 'cold-'));
  // The catalog build (iris training, unpacking MobileNet) is a one-time install step: reuse it.
  const catalog = path.resolve(ROOT, process.env.DATA_DIR ?? '.data', 'catalog');
  if (existsSync(catalog)) symlinkSync(catalog, path.join(dataDir, 'catalog'));
  else mkdirSync(path.join(dataDir, 'catalog'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const env = {
    ...process.env,
    DATABASE_URL: '',
    REDIS_URL: '',
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
  };
  const started = performance.now();
  const child = spawn(process.execPath, [main], { env, stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  let listening = 0;
  try {
    for (;;) {
      if (performance.now() - started > 180_000) throw new Error('no answer within 180 s');
      try {
        await fetch(`${url}/healthz`);
        listening ||= performance.now() - started;
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const key = await keyFor(url, 'cold@example.com');
    const p = await post(
      `${url}/v2/models/iris/infer`,
      { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: FEATURES[0] }] },
      { authorization: `Bearer ${key}` },
    );
    if (!p.res.ok) throw new Error(`first prediction: ${JSON.stringify(p.json)}`);
    const first = performance.now() - started;
    table(
      'cold start: node dist/apps/api/src/main.js, embedded PGlite (fresh), catalog reused',
      ['step', 'ms from spawn'],
      [
        ['answers /healthz', listening.toFixed(0)],
        ['first successful prediction (incl. sign-up + key)', first.toFixed(0)],
      ],
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function mainBench() {
  // Dropping the bench database terminates pooled connections that may still be idle: expected.
  process.on('uncaughtException', (e) => {
    if ((e as { code?: string }).code !== '57P01') throw e;
  });
  if (process.env.BENCH_ONLY !== 'cold') await throughput();
  if (process.env.BENCH_ONLY !== 'load') await coldStart();
}

mainBench().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
