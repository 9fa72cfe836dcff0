/**
 * Audit benchmark: what an audit record adds to a request's transaction, and how fast a chain
 * verifies.
 *
 *   node --require ./test/bench/register.js test/bench/audit.bench.ts
 *
 * Uses a fresh database on the local PostgreSQL (TEST_DATABASE_URL or the default admin URL),
 * dropped at the end. Env: BENCH_WRITES (2000), BENCH_WRITERS (16), BENCH_VERIFY_EVENTS (20000).
 * Baselines are measured in the same run: the same transaction without the append, and hashing
 * alone for verification. Prints a table; never a pass/fail test.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { loadConfig } from '@app/common';
import { createPrismaService, PrismaService } from '@app/db';
import {
  AuditService,
  AuditSigner,
  AuditVerifyService,
  ChainVerifier,
  GENESIS_HASH,
  loadAuditConfig,
} from '@app/audit';
import { adminDatabaseUrl } from '../support/services';

const WRITES = Number(process.env.BENCH_WRITES ?? 2000);
const WRITERS = Number(process.env.BENCH_WRITERS ?? 16);
const VERIFY_EVENTS = Number(process.env.BENCH_VERIFY_EVENTS ?? 20000);

const rows: string[][] = [];
const row = (...cells: (string | number)[]) => rows.push(cells.map(String));

async function withDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const name = `mas_bench_audit_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    await admin.query(`drop database "${name}" with (force)`);
    await admin.end();
  }
}

/** µs per transaction with `writers` concurrent loops sharing `total` transactions. */
async function perTx(total: number, writers: number, tx: (i: number, w: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      while (next < total) await tx(next++, w);
    }),
  );
  return Number(process.hrtime.bigint() - start) / 1000 / total;
}

async function main() {
  await withDatabase(async (url) => {
    process.env.DATABASE_URL = url;
    process.env.LOG_LEVEL = 'silent';
    const app = { ...loadConfig(), DATABASE_URL: url, DATABASE_POOL_SIZE: WRITERS + 2 };
    const prisma: PrismaService = await createPrismaService(app, { migrate: true });
    const audit = new AuditService();
    const tenants = Array.from({ length: WRITERS }, (_, i) => `ten_bench${i}`);
    for (const id of tenants) await prisma.tenant.create({ data: { id, name: id } });
    await prisma.$executeRawUnsafe(
      `CREATE TABLE bench_changes (id text PRIMARY KEY, "tenantId" text NOT NULL, payload jsonb NOT NULL)`,
    );
    const change = (
      tx: PrismaService | Parameters<Parameters<PrismaService['$transaction']>[0]>[0],
      tenantId: string,
    ) =>
      tx.$executeRaw`INSERT INTO bench_changes (id, "tenantId", payload) VALUES (${randomBytes(12).toString('hex')}, ${tenantId}, ${JSON.stringify({ name: 'key', scopes: ['inference:run'] })}::jsonb)`;
    const entry = {
      actor: { type: 'user' as const, id: 'usr_bench' },
      action: 'api_key.create',
      target: { type: 'api_key', id: 'key_bench' },
      requestId: 'req_bench',
      metadata: { name: 'key', scopes: ['inference:run'] },
    };

    const bare = (tenant: (w: number) => string) => (_: number, w: number) =>
      prisma.$transaction(async (tx) => change(tx, tenant(w)));
    const audited = (tenant: (w: number) => string) => (_: number, w: number) =>
      prisma.$transaction(async (tx) => {
        await change(tx, tenant(w));
        await audit.append(tx, tenant(w), entry);
      });
    // Warm up the pool and the plans.
    await perTx(
      200,
      WRITERS,
      bare(() => tenants[0]!),
    );
    await perTx(
      200,
      WRITERS,
      audited(() => tenants[0]!),
    );

    for (const [label, writers, tenantOf] of [
      ['1 writer', 1, () => tenants[0]!],
      [`${WRITERS} writers, one tenant`, WRITERS, () => tenants[0]!],
      [`${WRITERS} writers, ${WRITERS} tenants`, WRITERS, (w: number) => tenants[w]!],
    ] as const) {
      const base = await perTx(WRITES, writers, bare(tenantOf));
      const withAudit = await perTx(WRITES, writers, audited(tenantOf));
      row(
        `write: ${label}`,
        `${base.toFixed(0)} µs/tx`,
        `${withAudit.toFixed(0)} µs/tx`,
        `+${(withAudit - base).toFixed(0)} µs`,
        `${(withAudit / base).toFixed(2)}x`,
      );
    }

    // Verification: a chain of VERIFY_EVENTS events, written 500 to a transaction.
    const vt = 'ten_verify';
    await prisma.tenant.create({ data: { id: vt, name: vt } });
    for (let n = 0; n < VERIFY_EVENTS; n += 500) {
      await prisma.$transaction(
        async (tx) => {
          for (let i = n; i < Math.min(n + 500, VERIFY_EVENTS); i++)
            await audit.append(tx, vt, { ...entry, metadata: { i, inputsSha256: randomBytes(32).toString('hex') } });
        },
        { timeout: 120_000 },
      );
    }
    const config = loadAuditConfig(app);
    const verifier = new AuditVerifyService(prisma, new AuditSigner(config), config);
    const events = await prisma.auditEvent.findMany({ where: { tenantId: vt }, orderBy: { seq: 'asc' } });
    let t0 = process.hrtime.bigint();
    const chain = new ChainVerifier({ seq: 0n, hash: GENESIS_HASH });
    for (const e of events) chain.push(e);
    const hashOnly = VERIFY_EVENTS / (Number(process.hrtime.bigint() - t0) / 1e9);
    if (!chain.ok) throw new Error('bench chain does not verify');
    t0 = process.hrtime.bigint();
    const r = await verifier.verify(vt);
    const full = r.checked / (Number(process.hrtime.bigint() - t0) / 1e9);
    if (!r.ok || r.checked !== VERIFY_EVENTS)
      throw new Error(`verify failed: ${JSON.stringify({ ...r, firstBadSeq: String(r.firstBadSeq) })}`);
    row('verify: hash + link only (in memory)', `${Math.round(hashOnly)} ev/s`, '', '', '1.00x');
    row(
      `verify: verifyAuditChain, ${VERIFY_EVENTS} events from PostgreSQL`,
      `${Math.round(full)} ev/s`,
      '',
      '',
      `${(full / hashOnly).toFixed(2)}x`,
    );
    await prisma.$disconnect();
  });

  const head = ['case', 'baseline', 'with audit', 'cost', 'ratio'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(head));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
