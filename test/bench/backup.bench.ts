/**
 * Backup and restore times (PostgreSQL + local artifacts): an installation with 100,000 usage
 * records and 100,000 audit events against the same installation empty (the baseline: fixed
 * costs of pg_dump/pg_restore, the schema and the manifest), in the same run.
 *
 *   node --require ./test/bench/register.js test/bench/backup.bench.ts   (BENCH_ROWS=100000)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { createBackup, restoreBackup } from '@app/backup';
import { ADMIN_URL, createBenchDatabase, fmt, table } from './support/bench-kit';

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);

async function emptyDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `mas_bench_restore_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`);
      await c.end();
    },
  };
}

/** Rows shaped like the real ones (ids, JSON metadata of a prediction); hashes are random hex, not a chain. */
async function fill(url: string, rows: number): Promise<void> {
  const pg = new Client({ connectionString: url });
  await pg.connect();
  await pg.query(
    `insert into usage_records (id, "tenantId", "apiKeyId", "modelId", "modelVersionId", "requestId", "idempotencyKey", units, instances, "computeMs", "batchSize", "occurredAt")
    select 'use_' || g, 'ten_' || (g % 50), 'key_' || (g % 200), 'mdl_iris', 'mv_iris', 'req_' || g, 'req_' || g, 1, 1, random() * 3, 8, now() - (g || ' seconds')::interval
    from generate_series(1, $1) g`,
    [rows],
  );
  await pg.query(
    `insert into audit_events (id, "tenantId", seq, "occurredAt", "actorType", "actorId", action, "targetType", "targetId", "requestId", metadata, "prevHash", hash)
    select 'aud_' || g, 'ten_' || (g % 50), g, now() - (g || ' seconds')::interval, 'api_key', 'key_' || (g % 200), 'inference.predict', 'model_version', 'mv_iris', 'req_' || g,
      jsonb_build_object('model', 'iris', 'version', 1, 'status', 'succeeded', 'latencyMs', random() * 5, 'units', 1, 'instances', 1,
        'inputSha256', md5(g::text) || md5((g + 1)::text), 'outputSha256', md5((g + 2)::text) || md5((g + 3)::text)),
      md5((g - 1)::text) || md5(g::text), md5(g::text) || md5((g - 1)::text)
    from generate_series(1, $1) g`,
    [rows],
  );
  await pg.end();
}

async function measure(rows: number): Promise<{ backupMs: number; restoreMs: number; bytes: number }> {
  const db = await createBenchDatabase();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-backup-a-'));
  const target = mkdtempSync(path.join(tmpdir(), 'bench-backup-b-'));
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'bench-backup-out-')), 'backup');
  const empty = await emptyDatabase();
  try {
    if (rows) await fill(db.url, rows);
    const b = await createBackup({ dataDir, databaseUrl: db.url }, out);
    const r = await restoreBackup(out, { dataDir: target, databaseUrl: empty.url });
    const check = new Client({ connectionString: empty.url });
    await check.connect();
    const n = (
      await check.query(
        `select (select count(*) from usage_records)::int + (select count(*) from audit_events)::int as n`,
      )
    ).rows[0].n;
    await check.end();
    if (n !== 2 * rows) throw new Error(`restored ${n} rows, expected ${2 * rows}`);
    return { backupMs: b.ms, restoreMs: r.ms, bytes: b.manifest.files.reduce((s, f) => s + f.sizeBytes, 0) };
  } finally {
    await db.drop();
    await empty.drop();
    for (const dir of [dataDir, target, path.dirname(out)]) rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const base = await measure(0);
  const full = await measure(ROWS);
  const row = (name: string, m: typeof base) => [
    name,
    fmt(m.backupMs),
    fmt(m.restoreMs),
    fmt(m.bytes / 1024),
    m === base ? '1.00' : (m.backupMs / base.backupMs).toFixed(2),
    m === base ? '1.00' : (m.restoreMs / base.restoreMs).toFixed(2),
  ];
  table(
    'npm run backup / restore (PostgreSQL, pg_dump custom format, pg_restore single transaction)',
    ['installation', 'backup ms', 'restore ms', 'backup KiB', 'backup ratio', 'restore ratio'],
    [row('empty (baseline)', base), row(`${fmt(ROWS)} usage records + ${fmt(ROWS)} audit events`, full)],
  );
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
