/**
 * Foundation benchmark (issue 2). One command:
 *   node --require ./test/bench/register.js test/bench/graphql-api.bench.ts
 * 1. The authenticated GraphQL `tenant` query over HTTP (the real app: API key, guard,
 *    rate-limit interceptor, Mercurius + graphql-jit) against a bare node:http server returning
 *    the same JSON, at 32 connections with autocannon in a separate process.
 * 2. Mercurius + graphql-jit against Apollo Server, same modules and guard, same query.
 * 3. API key verification per call: cached, and uncached (database look-up), against SHA-256
 *    of the key alone as the floor.
 * Needs PostgreSQL (DATABASE_URL or the local default). Ratios are what to compare: the machine is noisy.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { autocannon, createBenchDatabase, median, table } from './support/bench-kit';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 32;
const QUERY = JSON.stringify({ query: '{ tenant { id name plan createdAt } }' });

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function main() {
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
  const base = await app.getUrl();
  const url = base.replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');

  // A tenant and a key; limits raised so the rate limiter decides (and costs) but never refuses.
  const signUp = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: `mutation { signUp(input: { email: "bench@example.com", password: "Load-Test-Secret-9", tenantName: "Bench" }) { tenant { id } } }`,
    }),
  });
  if (!signUp.ok) throw new Error(`signUp: ${signUp.status} ${await signUp.text()}`);
  const cookies = signUp.headers.getSetCookie().map((c) => c.split(';')[0]!);
  const csrf = cookies.find((c) => c.startsWith('csrf_token='))!.split('=')[1]!;
  const keyRes = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: cookies.join('; '), 'x-csrf-token': csrf },
    body: JSON.stringify({
      query: `mutation { createApiKey(input: { name: "bench", scopes: ["models:read"] }) { secret } }`,
    }),
  });
  const key = ((await keyRes.json()) as { data: { createApiKey: { secret: string } } }).data.createApiKey.secret;
  const pg = new Client({ connectionString: db.url });
  await pg.connect();
  await pg.query(`update plans set "requestsPerMinutePerKey" = 100000000, "requestsPerMinutePerTenant" = 100000000`);
  const tenantJson = await (
    await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: QUERY,
    })
  ).text();
  if (!tenantJson.includes('"tenant"')) throw new Error(`unexpected answer: ${tenantJson}`);

  const bare = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(tenantJson);
    });
  });
  const bareUrl = await listen(bare);
  const load = {
    connections: CONNECTIONS,
    seconds: SECONDS,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: QUERY,
  };

  await autocannon(`${url}/graphql`, { ...load, seconds: 2 }); // warm-up (graphql-jit compiles after first use)
  const bareRes = await autocannon(bareUrl, load);
  const appRes = await autocannon(`${url}/graphql`, load);
  table(
    `Authenticated GraphQL tenant query vs bare node:http, ${CONNECTIONS} connections, ${SECONDS} s each`,
    ['server', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'throughput ratio', 'added p50 ms', 'added p99 ms'],
    [
      ['bare node:http (baseline)', bareRes.rps, bareRes.p50, bareRes.p99, bareRes.non2xx, '1.00', '-', '-'],
      [
        'platform /graphql (API key)',
        appRes.rps,
        appRes.p50,
        appRes.p99,
        appRes.non2xx,
        (appRes.rps / bareRes.rps).toFixed(3),
        appRes.p50 - bareRes.p50,
        appRes.p99 - bareRes.p99,
      ],
    ],
  );

  // API key verification, per call.
  const { ApiKeyVerifier } = await import('@app/api-keys');
  const verifier = app.get(ApiKeyVerifier);
  const N = 20_000;
  const time = async (n: number, fn: () => unknown) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await fn();
    return Number(process.hrtime.bigint() - t0) / 1e3 / n;
  };
  const rounds = (fn: () => Promise<number>) =>
    Promise.all([0, 1, 2].map(() => 0)).then(async () => median([await fn(), await fn(), await fn()]));
  const sha = await rounds(() => time(N, () => createHash('sha256').update(key).digest('hex')));
  const cached = await rounds(() => time(N, () => verifier.verify(key)));
  const uncachedVerifier = new ApiKeyVerifier(
    app.get((await import('@app/db')).PrismaService),
    { open: () => null } as never,
    { API_KEY_CACHE_TTL_MS: 0 } as never,
  );
  const uncached = await rounds(() => time(500, () => uncachedVerifier.verify(key)));
  table(
    'API key verification, per call (median of 3 rounds)',
    ['path', 'µs per call', 'ratio to SHA-256 alone'],
    [
      ['SHA-256 of the key (floor)', sha, '1.00'],
      ['verify, cached', cached, (cached / sha).toFixed(1)],
      ['verify, uncached (PostgreSQL look-up)', uncached, (uncached / sha).toFixed(1)],
    ],
  );
  await app.close();
  bare.close();

  // Mercurius + graphql-jit vs Apollo, same modules and guard.
  const { createDriverApp } = await import('./support/graphql-driver-app');
  const results: Record<string, Awaited<ReturnType<typeof autocannon>>> = {};
  for (const driver of ['mercurius', 'apollo'] as const) {
    const dapp = await createDriverApp(driver);
    await dapp.listen(0, '127.0.0.1');
    const durl = (await dapp.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
    await autocannon(`${durl}/graphql`, { ...load, seconds: 2 });
    results[driver] = await autocannon(`${durl}/graphql`, load);
    await dapp.close();
  }
  const m = results.mercurius!;
  const a = results.apollo!;
  table(
    `GraphQL driver, same query and auth, ${CONNECTIONS} connections`,
    ['driver', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'ratio to Apollo'],
    [
      ['Apollo Server 5 (@nestjs/apollo)', a.rps, a.p50, a.p99, a.non2xx, '1.00'],
      ['Mercurius + graphql-jit', m.rps, m.p50, m.p99, m.non2xx, (m.rps / a.rps).toFixed(2)],
    ],
  );
  await pg.end();
  await db.drop();
  process.exit(0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
