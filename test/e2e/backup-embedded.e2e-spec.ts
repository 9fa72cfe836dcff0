import { ChildProcess, execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { freePort } from '../support/worker-process';
import { ACCOUNT_TEST_DEFAULTS, createKey, signUp, STRONG_PASSWORD } from '../support/test-app';
import { DENSE_SIGNATURE, layersArtifact } from '../support/layers-artifact';

const ROOT = path.resolve(__dirname, '../..');
const node = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, args, { cwd: ROOT, env: { ...process.env, DATABASE_URL: '', ...env }, encoding: 'utf8' });
// The operator commands as `npm run backup|restore -- <dir>` run them, from source (no build step here).
const cli = (name: 'backup' | 'restore', dir: string, dataDir: string, env: Record<string, string> = {}) =>
  node(
    ['--require', path.join(ROOT, 'test/bench/register.js'), path.join(ROOT, `libs/backup/src/cli/${name}.ts`), dir],
    { DATA_DIR: dataDir, ...env },
  );
const query = (pgdata: string, sql: string, params: unknown[] = []) =>
  JSON.parse(
    execFileSync(
      process.execPath,
      [path.join(ROOT, 'test/support/pglite-query.mjs'), pgdata, sql, JSON.stringify(params)],
      { cwd: ROOT, encoding: 'utf8' },
    ),
  );

describe('operations: npm run backup / restore of an embedded (PGlite) installation, stopped', () => {
  const from = mkdtempSync(path.join(tmpdir(), 'embedded-a-'));
  const to = mkdtempSync(path.join(tmpdir(), 'embedded-b-'));
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'embedded-out-')), 'backup');
  afterAll(() => {
    for (const dir of [from, to, path.dirname(out)]) rmSync(dir, { recursive: true, force: true });
  });

  it("moves PGlite's database and the artifacts to a new DATA_DIR, artifact URIs re-pointed", () => {
    // The real migrations, as `npm run db:migrate` applies them to DATA_DIR/pgdata.
    expect(node([path.join(ROOT, 'libs/db/migrations/cli.mjs'), 'deploy'], { DATA_DIR: from }).status).toBe(0);
    const artifact = path.join(from, 'models', 'ten_1', 'mv_1');
    mkdirSync(artifact, { recursive: true });
    writeFileSync(path.join(artifact, 'model.json'), '{"format":"layers-model"}');
    query(
      path.join(from, 'pgdata'),
      `insert into models (id, "tenantId", namespace, name, task) values ('mdl_1', null, 'ten_1', 'm', 't')`,
    );
    query(
      path.join(from, 'pgdata'),
      `insert into model_versions (id, "modelId", "tenantId", version, format, status, inputs, outputs, "artifactUri")
      values ('mv_1', 'mdl_1', null, 1, 'layers', 'READY', '[]', '[]', $1)`,
      [pathToFileURL(artifact).href],
    );

    const backup = cli('backup', out, from);
    expect(backup.stderr).toBe('');
    expect(backup.stdout).toMatch(/backup written to .*: pglite database and 1 files/);
    expect(JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')).database).toEqual({
      kind: 'pglite',
      file: 'database.pglite.tar.gz',
    });
    const wrong = cli('restore', out, to, { DATABASE_URL: 'postgresql://127.0.0.1/none' });
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/restore refused: this backup holds an embedded database/);
    const restore = cli('restore', out, to);
    expect(restore.status).toBe(0);

    expect(readFileSync(path.join(to, 'models/ten_1/mv_1/model.json'), 'utf8')).toBe('{"format":"layers-model"}');
    expect(query(path.join(to, 'pgdata'), `select "artifactUri" from model_versions`)).toEqual([
      { artifactUri: pathToFileURL(path.join(to, 'models/ten_1/mv_1')).href },
    ]);
    expect(query(path.join(to, 'pgdata'), `select count(*)::int as n from _prisma_migrations`)[0].n).toBeGreaterThan(0);
    const again = cli('restore', out, to);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/not empty/);
  }, 300_000);
});

const MAIN = path.join(ROOT, 'dist/apps/api/src/main.js');

/** The built api (`npm start`) on an embedded DATA_DIR: no DATABASE_URL, no Redis. */
async function startEmbedded(dataDir: string): Promise<{ url: string; proc: ChildProcess; stop(): Promise<void> }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...ACCOUNT_TEST_DEFAULTS,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'development',
    MONITORING_FLUSH_MS: '1000',
  };
  for (const k of ['DATABASE_URL', 'REDIS_URL', 'STRIPE_SECRET_KEY', 'TEST_DATABASE_URL']) delete env[k];
  const proc = spawn(process.execPath, [MAIN], { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (c) => (out += c));
  proc.stderr!.on('data', (c) => (out += c));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 150 s:\n${out}`)), 150_000);
    proc.once('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
    const poll = setInterval(() => {
      if (!out.includes('is running at')) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve();
    }, 100);
  });
  proc.removeAllListeners('exit');
  return {
    url: `http://127.0.0.1:${port}`,
    proc,
    stop: () =>
      new Promise<void>((r) => (proc.exitCode !== null ? r() : (proc.once('exit', () => r()), proc.kill('SIGTERM')))),
  };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as any };
}

const predict = (url: string, key: string) =>
  post(`${url}/v1/models/iris:predict`, { instances: [[5.1, 3.5, 1.4, 0.2]] }, { authorization: `Bearer ${key}` });

/** The CLI as a child that does not block this process (the load keeps running meanwhile). */
const cliAsync = (name: 'backup' | 'restore', dir: string, dataDir: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(
      process.execPath,
      ['--require', path.join(ROOT, 'test/bench/register.js'), path.join(ROOT, `libs/backup/src/cli/${name}.ts`), dir],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir }, encoding: 'utf8' },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );

describe('operations: npm run backup of a running embedded (PGlite) platform, restored and started', () => {
  const from = mkdtempSync(path.join(tmpdir(), 'live-a-'));
  const to = mkdtempSync(path.join(tmpdir(), 'live-b-'));
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'live-out-')), 'backup');
  beforeAll(() => {
    if (!existsSync(MAIN)) execFileSync('npm', ['run', '-s', 'build'], { cwd: ROOT, stdio: 'inherit' });
  }, 300_000);
  afterAll(() => {
    for (const dir of [from, to, path.dirname(out)]) rmSync(dir, { recursive: true, force: true });
  });

  it('the running api writes the snapshot while it serves predictions; the restore logs in, keys work, usage and audit agree, chains verify', async () => {
    let a = await startEmbedded(from);
    const tenants: { email: string; key: string; tenantId: string }[] = [];
    try {
      // The socket that `npm run backup` asks: in DATA_DIR, for this user only.
      expect(statSync(path.join(from, 'backup.sock')).mode & 0o777).toBe(0o600);
      const http = a.url as unknown as Parameters<typeof signUp>[0];
      for (const name of ['Live one', 'Live two']) {
        const s = await signUp(http, name);
        const key = (await createKey(http, s, ['inference:run', 'audit:read', 'models:read', 'models:write'])).secret;
        tenants.push({ email: s.email, key, tenantId: s.tenantId });
        for (let i = 0; i < 3; i++) expect((await predict(a.url, key)).status).toBe(200);
      }
      // A tenant's own model: its artifact files are part of the snapshot.
      const auth = { authorization: `Bearer ${tenants[0]!.key}` };
      const created = await post(
        `${a.url}/graphql`,
        { query: `mutation { createModel(input: { name: "kept", task: "regression" }) { name } }` },
        auth,
      );
      expect(created.json.errors).toBeUndefined();
      const published = await post(
        `${a.url}/graphql`,
        {
          query: `mutation($i: PublishModelVersionInput!) { publishModelVersion(input: $i) { version status } }`,
          variables: {
            i: {
              model: 'kept',
              format: 'layers',
              pricingUnit: 'request',
              ...DENSE_SIGNATURE,
              files: await layersArtifact(2),
            },
          },
        },
        auth,
      );
      expect(published.json.errors).toBeUndefined();
      let running = true;
      let served = 0;
      const load = Promise.all(
        tenants.map(async (t) => {
          while (running) {
            const r = await predict(a.url, t.key);
            expect(r.status).toBe(200);
            served++;
            // Under the free plan's 60 calls a minute per key.
            await new Promise((done) => setTimeout(done, 1200));
          }
        }),
      );
      const servedBefore = served;
      const backup = await cliAsync('backup', out, from);
      const servedDuring = served - servedBefore;
      running = false;
      await load;
      expect(backup.stderr).toBe('');
      expect(backup.code).toBe(0);
      expect(backup.stdout).toMatch(/backup written to .* by the running platform: pglite database and \d+ files/);
      expect(servedDuring).toBeGreaterThan(0);
      const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
      expect(manifest.database).toEqual({ kind: 'pglite', file: 'database.pglite.tar.gz' });
      // The model's files are content-addressed: one manifest for the version, and its model.json
      // and weight shard as blobs named by their SHA-256.
      const modelFiles = (manifest.files as { path: string }[])
        .map((f) => f.path)
        .filter((p) => p.startsWith('files/models/'));
      expect(modelFiles.filter((p) => /\/versions\/[^/]+\.json$/.test(p))).toHaveLength(1);
      expect(modelFiles.filter((p) => /\/sha256\/[0-9a-f]{64}$/.test(p)).length).toBeGreaterThanOrEqual(2);
      // Still serving after the backup:
      expect((await predict(a.url, tenants[0]!.key)).status).toBe(200);
    } finally {
      await a.stop();
    }
    // The platform stopped: its socket is gone, and the CLI backs up by itself (as before).
    expect(existsSync(path.join(from, 'backup.sock'))).toBe(false);

    const restore = await cliAsync('restore', out, to);
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    a = await startEmbedded(to);
    try {
      for (const t of tenants) {
        const login = await post(`${a.url}/graphql`, {
          query: `mutation($i: LogInInput!) { logIn(input: $i) { user { email } } }`,
          variables: { i: { email: t.email, password: STRONG_PASSWORD } },
        });
        expect(login.json.errors).toBeUndefined();
        expect(login.json.data.logIn.user.email).toBe(t.email);
        const p = await predict(a.url, t.key);
        expect(p.status).toBe(200);
        expect(p.json.predictions).toHaveLength(1);
        if (t === tenants[0]) {
          // The restored artifact, its digests checked when it loads.
          const kept = await post(
            `${a.url}/v1/models/kept:predict`,
            { instances: [[1, 2, 3]] },
            {
              authorization: `Bearer ${t.key}`,
            },
          );
          expect(kept.status).toBe(200);
          expect(kept.json.predictions).toEqual([[8, 8]]);
        }
        const v = await post(
          `${a.url}/graphql`,
          { query: '{ verifyAuditChain { ok checked } }' },
          { authorization: `Bearer ${t.key}` },
        );
        expect(v.json.errors).toBeUndefined();
        expect(v.json.data.verifyAuditChain.ok).toBe(true);
        expect(v.json.data.verifyAuditChain.checked).toBeGreaterThan(3);
      }
    } finally {
      await a.stop();
    }
    // One consistent snapshot: every usage record of the restored database has its audit event.
    for (const t of tenants) {
      const [u] = query(path.join(to, 'pgdata'), `select count(*)::int as n from usage_records where "tenantId" = $1`, [
        t.tenantId,
      ]);
      const [e] = query(
        path.join(to, 'pgdata'),
        `select count(*)::int as n from audit_events where "tenantId" = $1 and action = 'inference.predict'`,
        [t.tenantId],
      );
      expect(u.n).toBeGreaterThanOrEqual(4);
      expect(e.n).toBe(u.n);
    }
  }, 600_000);
});
