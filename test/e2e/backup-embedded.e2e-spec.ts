import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

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
