/**
 * Cold start of the serverless API: a fresh Node process loads dist/apps/api/src/lambda.js and
 * answers its first API Gateway HTTP API v2 event (GET /healthz), then a second one (a GraphQL
 * query, base64 body) warm. Baseline, same run, same database: the Fastify server
 * (dist/apps/api/src/main.js) from spawn to its first /healthz answer over HTTP.
 *
 *   npm run build && npm run bench -- lambda-cold-start      (BENCH_RUNS=3 per side)
 *
 * PostgreSQL as in AWS (a fresh bench database, migrated beforehand as the migration task does);
 * the built-in catalog folder is reused from ./.data as a deployed image would ship it.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createBenchDatabase, median, table } from './support/bench-kit';

const ROOT = path.resolve(__dirname, '../..');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

function envFor(databaseUrl: string, dataDir: string, port = 0): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: '',
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    UPLOAD_SIGNING_SECRET: 'bench-signing-secret-0123456789abcdef',
  };
}

function freshDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lambda-cold-'));
  const catalog = path.resolve(ROOT, '.data', 'catalog');
  if (existsSync(catalog)) symlinkSync(catalog, path.join(dir, 'catalog'));
  else mkdirSync(path.join(dir, 'catalog'));
  return dir;
}

async function lambdaRun(databaseUrl: string): Promise<{ total: number; loaded: number; first: number; warm: number }> {
  const dataDir = freshDataDir();
  const started = performance.now();
  try {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [path.join(__dirname, 'support/lambda-cold-child.js')],
        { env: envFor(databaseUrl, dataDir), timeout: 180_000 },
        (e, stdout, stderr) => (e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout)),
      ),
    );
    const r = JSON.parse(out.trim().split('\n').pop()!) as { loaded: number; firstAt: number; warm: number };
    return { total: performance.now() - started, loaded: r.loaded, first: r.firstAt, warm: r.warm };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function serverRun(databaseUrl: string): Promise<number> {
  const dataDir = freshDataDir();
  const port = 20000 + Math.floor(Math.random() * 20000);
  const started = performance.now();
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/apps/api/src/main.js')], {
    env: envFor(databaseUrl, dataDir, port),
    stdio: 'ignore',
  });
  try {
    for (;;) {
      if (performance.now() - started > 180_000) throw new Error('server: no answer within 180 s');
      try {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        if (res.ok) return performance.now() - started;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (!existsSync(path.join(ROOT, 'dist/apps/api/src/lambda.js')))
    throw new Error('run `npm run build` first: the bench measures the built handler');
  const db = await createBenchDatabase();
  try {
    const lambda: Awaited<ReturnType<typeof lambdaRun>>[] = [];
    const server: number[] = [];
    // Alternating, so that a busy moment on the machine hits both sides alike.
    for (let i = 0; i < RUNS; i++) {
      server.push(await serverRun(db.url));
      lambda.push(await lambdaRun(db.url));
    }
    console.log(
      `runs (ms): server ${server.map((x) => x.toFixed(0)).join(', ')}; lambda first answer ${lambda.map((r) => r.first.toFixed(0)).join(', ')}`,
    );
    const base = median(server);
    const m = (f: (r: (typeof lambda)[number]) => number) => median(lambda.map(f));
    table(
      `lambda cold start (median of ${RUNS}; PostgreSQL; ms from process start)`,
      ['measure', 'ms', 'vs server start'],
      [
        ['baseline: main.js spawn to first /healthz over HTTP', base, '1.00'],
        ['lambda.js module loaded (require)', m((r) => r.loaded), (m((r) => r.loaded) / base).toFixed(2)],
        ['lambda: first answer (GET /healthz event)', m((r) => r.first), (m((r) => r.first) / base).toFixed(2)],
        ['lambda: spawn to exit after both answers', m((r) => r.total), (m((r) => r.total) / base).toFixed(2)],
        ['lambda: warm invocation (GraphQL, base64 body)', m((r) => r.warm), (m((r) => r.warm) / base).toFixed(4)],
      ],
    );
  } finally {
    await db.drop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
