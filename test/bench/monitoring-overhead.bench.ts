/**
 * Monitoring's cost on the hot path: GraphQL `predict` on `iris` (4 rows per call, so drift
 * binning has work) through the full platform path, with ModelMonitor.record switched off
 * (baseline) and on, alternating in the same process and database: off, on, off, on, ...
 * 32 connections, autocannon in a separate process.
 *
 *   node --require ./test/bench/register.js test/bench/monitoring-overhead.bench.ts
 *   (BENCH_SECONDS=6 per run, BENCH_ROUNDS=3 pairs)
 */
import { Client } from 'pg';
import { ModelMonitor, MONITORING_CONFIG, MonitoringConfig } from '@app/monitoring';
import { autocannon, createBenchDatabase, fmt, median, table } from './support/bench-kit';

const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const FEATURES = [
  [5.1, 3.5, 1.4, 0.2],
  [6.2, 2.9, 4.3, 1.3],
  [7.7, 3.0, 6.1, 2.3],
  [5.0, 3.4, 1.5, 0.2],
];

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { res, json: (await res.json().catch(() => null)) as Record<string, any> | null };
}

async function main(): Promise<void> {
  const db = await createBenchDatabase();
  Object.assign(process.env, {
    DATABASE_URL: db.url,
    LOG_LEVEL: 'silent',
    NODE_ENV: 'production',
    REDIS_URL: '',
    DATABASE_POOL_SIZE: '10',
    MONITORING_FLUSH_MS: '1000',
  });
  const { createApp } = await import('../../apps/api/src/app.factory');
  const app = await createApp({ logger: false });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  const s = await post(`${url}/graphql`, {
    query: `mutation { signUp(input: { email: "mon@example.com", password: "Load-Test-Secret-9", tenantName: "Bench" }) { tenant { id } } }`,
  });
  const cookies = s.res.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const csrf = cookies.find((c) => c.startsWith('csrf_token='))!.split('=')[1]!;
  const k = await post(
    `${url}/graphql`,
    { query: `mutation { createApiKey(input: { name: "bench", scopes: ["inference:run"] }) { secret } }` },
    { cookie: cookies.join('; '), 'x-csrf-token': csrf },
  );
  const key = k.json!.data.createApiKey.secret as string;
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  await pg.query(
    `update plans set "requestsPerMinutePerKey" = 100000000, "requestsPerMinutePerTenant" = 100000000, "maxConcurrentRequests" = 10000, "monthlyIncludedUnits" = 1000000000000, "hardCap" = false`,
  );

  // The same app object: record() reads the flag on every call, so the switch applies at once.
  const config = app.get<MonitoringConfig>(MONITORING_CONFIG, { strict: false });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  const body = JSON.stringify({
    query: `mutation($i: PredictInput!) { predict(input: $i) { outputs version } }`,
    variables: { i: { model: 'iris', inputs: { features: FEATURES } } },
  });
  const load = { connections: CONNECTIONS, seconds: SECONDS, method: 'POST', headers, body };
  await autocannon(`${url}/graphql`, { ...load, seconds: 3 }); // warm-up
  const off: number[] = [];
  const on: number[] = [];
  const p99 = { off: [] as number[], on: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    for (const enabled of [false, true]) {
      config.enabled = enabled;
      const r = await autocannon(`${url}/graphql`, load);
      (enabled ? on : off).push(r.rps);
      (enabled ? p99.on : p99.off).push(r.p99);
    }
  }
  const minuteRows = (await pg.query(`select coalesce(sum(calls), 0)::int as n from model_metric_minutes`)).rows[0].n;
  table(
    `GraphQL predict, iris 4 rows/call, ${CONNECTIONS} connections, ${ROUNDS} x (off, on), ${SECONDS} s each (calls recorded in model_metric_minutes: ${minuteRows})`,
    ['monitoring', 'req/s per run', 'median req/s', 'median p99 ms', 'throughput ratio'],
    [
      ['off (baseline)', off.map((x) => x.toFixed(0)).join(' / '), median(off).toFixed(0), median(p99.off), '1.000'],
      [
        'on',
        on.map((x) => x.toFixed(0)).join(' / '),
        median(on).toFixed(0),
        median(p99.on),
        (median(on) / median(off)).toFixed(3),
      ],
    ],
  );
  // The same work without the noise of HTTP on a shared machine: record() alone (what the request
  // waits for), then the flush that bins those inputs and writes the rows (same event loop, later).
  const monitor = app.get(ModelMonitor, { strict: false });
  const ids = (
    await pg.query(
      `select v.id as "versionId", v."modelId", (select id from tenants limit 1) as "tenantId" from model_versions v join models m on m.id = v."modelId" where m.name = 'iris'`,
    )
  ).rows[0];
  const N = 20_000;
  config.enabled = true;
  await monitor.flush();
  let t0 = performance.now();
  for (let i = 0; i < N; i++)
    monitor.record({
      ...ids,
      model: 'iris',
      version: 1,
      ok: true,
      latencyMs: 3 + (i % 7),
      instances: 4,
      batchSize: 8,
      inputs: { features: FEATURES },
    });
  const recordUs = ((performance.now() - t0) * 1000) / N;
  t0 = performance.now();
  await monitor.flush();
  const flushUs = ((performance.now() - t0) * 1000) / N;
  const callUs = 1e6 / median(off);
  table(
    `cost per call, ${fmt(N)} calls of 4 rows (one call's event-loop time at the baseline's median rate: ${fmt(callUs)} µs)`,
    ['step', 'µs per call', 'share of a call'],
    [
      ['record() on the request path', recordUs.toFixed(2), `${((recordUs / callUs) * 100).toFixed(3)} %`],
      [
        'flush: drift binning + row upserts (off the request)',
        flushUs.toFixed(2),
        `${((flushUs / callUs) * 100).toFixed(3)} %`,
      ],
    ],
  );
  await pg.end();
  await app.close();
  await db.drop();
}

process.on('uncaughtException', (e) => {
  if ((e as { code?: string }).code !== '57P01') throw e;
});
main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
