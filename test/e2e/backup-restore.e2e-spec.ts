import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
  readFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { AuditVerifyService } from '@app/audit';
import { createBackup, restoreBackup } from '@app/backup';
import { needsPostgres } from '../support/database';
import { adminDatabaseUrl } from '../support/services';
import { DENSE_SIGNATURE, layersArtifact } from '../support/layers-artifact';
import { TestApp, cookiesOf, createKey, gql, signUp, startTestApp, STRONG_PASSWORD } from '../support/test-app';

const d = needsPostgres('backup and restore e2e') ? describe : describe.skip;

const PREDICT = `mutation($i: PredictInput!) { predict(input: $i) { outputs version usage { units } } }`;
const CATALOG = path.resolve(process.env.DATA_DIR ?? '.data', 'catalog');

/** A DATA_DIR of its own that reuses the built catalog (a re-creatable build, not backed up). */
function dataDir(tag: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), `backup-${tag}-`));
  if (existsSync(CATALOG)) symlinkSync(CATALOG, path.join(dir, 'catalog'));
  return dir;
}

async function emptyDatabase(): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `mas_restore_${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;
  const admin = new Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const c = new Client({ connectionString: adminDatabaseUrl() });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`);
      await c.end();
    },
  };
}

d('operations: backup while running, restore into an empty installation', () => {
  let a: TestApp;
  let key: string;
  let email: string;
  let tenantId: string;
  const dirA = dataDir('a');
  const backupDir = path.join(mkdtempSync(path.join(tmpdir(), 'backup-out-')), 'b1');
  beforeAll(async () => {
    a = await startTestApp({ DATA_DIR: dirA });
    const s = await signUp(a.http, 'Restorable');
    tenantId = s.tenantId;
    email = s.email;
    key = (await createKey(a.http, s, ['inference:run', 'models:read', 'models:write'])).secret;
    await gql(a.http, `mutation { createModel(input: { name: "kept", task: "regression" }) { name } }`, {}, { key });
    const files = await layersArtifact(3);
    const pub = await gql(
      a.http,
      `mutation($i: PublishModelVersionInput!) { publishModelVersion(input: $i) { version } }`,
      { i: { model: 'kept', format: 'layers', pricingUnit: 'request', ...DENSE_SIGNATURE, files } },
      { key },
    );
    expect(pub.body.errors).toBeUndefined();
    for (let i = 0; i < 5; i++)
      await gql(a.http, PREDICT, { i: { model: 'kept', inputs: { x: [[1, 1, 1]] } } }, { key });
  }, 180_000);
  afterAll(async () => {
    await a?.close();
    for (const dir of [dirA, path.dirname(backupDir)]) rmSync(dir, { recursive: true, force: true });
  });

  it('writes a sealed backup while predictions keep committing, and restores it: log-in, keys, usage, quotas and audit chains', async () => {
    // Predictions run during the backup: pg_dump's snapshot must still be consistent.
    let running = true;
    const load = (async () => {
      let n = 0;
      while (running) {
        await gql(a.http, PREDICT, { i: { model: 'kept', inputs: { x: [[2, 2, 2]] } } }, { key });
        n++;
      }
      return n;
    })();
    const { manifest } = await createBackup({ dataDir: dirA, databaseUrl: a.db.url }, backupDir);
    running = false;
    expect(await load).toBeGreaterThan(0);
    expect(manifest.database.kind).toBe('postgresql');
    // Artifacts are content-addressed: a manifest per version and each file under its SHA-256.
    expect(manifest.files.some((f) => /^files\/models\/[^/]+\/versions\/mv_[^/]+\.json$/.test(f.path))).toBe(true);
    expect(manifest.files.some((f) => /^files\/models\/[^/]+\/sha256\/[0-9a-f]{64}$/.test(f.path))).toBe(true);
    for (const f of manifest.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);

    const dirB = dataDir('b');
    const db = await emptyDatabase();
    let b: TestApp | undefined;
    try {
      await restoreBackup(backupDir, { dataDir: dirB, databaseUrl: db.url });
      const uris = new Client({ connectionString: db.url });
      await uris.connect();
      const kept = (await uris.query(`select "artifactUri" from model_versions where "tenantId" = $1`, [tenantId]))
        .rows;
      await uris.end();
      // Re-pointed at the new DATA_DIR: the old one is not read from.
      expect(kept).toEqual([{ artifactUri: expect.stringContaining(`${dirB}/models/${tenantId}/`) }]);
      rmSync(path.join(dirA, 'models'), { recursive: true, force: true });
      b = await startTestApp({ DATA_DIR: dirB }, { ...db });
      const login = await gql(b.http, `mutation($i: LogInInput!) { logIn(input: $i) { user { email } } }`, {
        i: { email, password: STRONG_PASSWORD },
      });
      expect(login.body.errors).toBeUndefined();
      expect(cookiesOf(login).cookie.length).toBeGreaterThan(0);
      const p = await gql(b.http, PREDICT, { i: { model: 'kept', inputs: { x: [[1, 1, 1]] } } }, { key });
      expect(p.body.errors).toBeUndefined();
      expect(p.body.data.predict.outputs).toEqual({ y: [[6, 6]] }); // the restored artifact, digests checked on load
      const units = async (sql: Client) => {
        const u = await sql.query(
          `select count(*)::int as n, coalesce(sum(units), 0)::int as units from usage_records where "tenantId" = $1`,
          [tenantId],
        );
        const q = await sql.query(
          `select coalesce(sum("unitsUsed"), 0)::int as used from quota_counters where "tenantId" = $1`,
          [tenantId],
        );
        const e = await sql.query(
          `select count(*)::int as n from audit_events where "tenantId" = $1 and action = 'inference.predict'`,
          [tenantId],
        );
        return { records: u.rows[0].n, units: u.rows[0].units, quotaUsed: q.rows[0].used, predictAudits: e.rows[0].n };
      };
      const restored = await units(b.sql);
      // One consistent snapshot: every usage record has its quota units and its audit event (plus the one just made).
      expect(restored.units).toBe(restored.quotaUsed);
      expect(restored.predictAudits).toBe(restored.records);
      expect(restored.records).toBeGreaterThanOrEqual(6);
      for (const tenant of (await b.sql.query(`select "tenantId" from audit_chain_heads`)).rows.map(
        (r) => r.tenantId as string,
      )) {
        expect(await b.app.get(AuditVerifyService).verify(tenant)).toMatchObject({ ok: true, firstBadSeq: null });
      }
      // A second restore into the now-used installation is refused.
      await expect(restoreBackup(backupDir, { dataDir: dataDir('c'), databaseUrl: db.url })).rejects.toThrow(
        /not empty/,
      );
      await expect(restoreBackup(backupDir, { dataDir: dirB, databaseUrl: db.url })).rejects.toThrow(/not empty/);
    } finally {
      await b?.close();
      await db.drop();
      rmSync(dirB, { recursive: true, force: true });
    }
  });

  it('refuses a tampered, an extended or a partial backup before writing anything', async () => {
    const cases: [string, (dir: string) => void, RegExp][] = [
      [
        'a changed artifact byte',
        (dir) => {
          // A content-addressed blob (a weight shard or model.json).
          const f = readdirSync(path.join(dir, 'files/models', tenantId), { recursive: true })
            .map(String)
            .find((p) => p.startsWith('sha256/'))!;
          const file = path.join(dir, 'files/models', tenantId, f);
          const bytes = readFileSync(file);
          bytes[0] ^= 1;
          writeFileSync(file, bytes);
        },
        /does not match its SHA-256/,
      ],
      [
        'an added file',
        (dir) => writeFileSync(path.join(dir, 'files/models/extra.bin'), 'x'),
        /not listed in the manifest/,
      ],
      ['a missing database dump', (dir) => unlinkSync(path.join(dir, 'database.pgdump')), /missing: a partial backup/],
      ['no seal', (dir) => unlinkSync(path.join(dir, 'manifest.sha256')), /not a complete backup/],
      [
        'an edited manifest',
        (dir) =>
          writeFileSync(
            path.join(dir, 'manifest.json'),
            readFileSync(path.join(dir, 'manifest.json'), 'utf8').replace('"postgresql"', '"pglite"'),
          ),
        /does not match manifest.sha256/,
      ],
    ];
    for (const [what, tamper, error] of cases) {
      const copy = `${backupDir}-${what.replace(/\W+/g, '-')}`;
      cpSync(backupDir, copy, { recursive: true });
      tamper(copy);
      const target = dataDir('t');
      const db = await emptyDatabase();
      try {
        await expect(restoreBackup(copy, { dataDir: target, databaseUrl: db.url })).rejects.toThrow(error);
        const tables = new Client({ connectionString: db.url });
        await tables.connect();
        expect(
          (await tables.query(`select count(*)::int as n from pg_tables where schemaname = 'public'`)).rows[0].n,
        ).toBe(0);
        await tables.end();
        expect(readdirSync(target).filter((e) => e !== 'catalog')).toEqual([]);
      } finally {
        await db.drop();
        rmSync(target, { recursive: true, force: true });
      }
    }
  });
});
