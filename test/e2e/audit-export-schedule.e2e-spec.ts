import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Logger } from '@nestjs/common';
import { needsPostgres } from '../support/database';
import { Session, TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';

const d = needsPostgres('audit export schedule e2e') ? describe : describe.skip;

const EXPORT = `mutation { exportAuditLog { id toSeq } }`;
const INTERVAL_MS = 400;

async function until<T>(fn: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  let v = await fn();
  while (!ok(v)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
    v = await fn();
  }
  return v;
}

d('scheduled audit exports: per tenant with new events, once, on two duty runners', () => {
  let a: TestApp;
  let b: TestApp;
  const dirs: string[] = [];
  let busy1: Session;
  let busy2: Session;
  let quiet: Session;

  const exportsOf = async (tenantId: string) =>
    (
      await a.sql.query<{ id: string; fromSeq: string; toSeq: string; actorId: string | null }>(
        `select x.id, x."fromSeq"::text, x."toSeq"::text,
                (select e."actorId" from audit_events e where e."tenantId" = x."tenantId"
                   and e.action = 'audit.export' and e."targetId" = x.id) as "actorId"
           from audit_exports x where x."tenantId" = $1 order by x."fromSeq"`,
        [tenantId],
      )
    ).rows;

  beforeAll(async () => {
    const signingKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const env = async () => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'audit-sched-'));
      dirs.push(dir);
      // Off while the tenants are set up; each test starts the timers itself.
      return { DATA_DIR: dir, AUDIT_SIGNING_KEY: signingKey, AUDIT_EXPORT_INTERVAL_MS: '0' };
    };
    a = await startTestApp(await env());
    b = await startTestApp(await env(), a.db); // a second process on the same database, its own disk
    busy1 = await signUp(a.http, 'Busy one');
    busy2 = await signUp(a.http, 'Busy two');
    quiet = await signUp(a.http, 'Quiet');
    // The quiet tenant exported everything by hand: only its own audit.export event came after.
    expect((await gql(a.http, EXPORT, {}, { session: quiet })).body.errors).toBeUndefined();
  }, 120_000);
  afterAll(async () => {
    const { AuditExportScheduler } = await import('@app/duties');
    await b?.app.get(AuditExportScheduler).stop();
    await a?.app.get(AuditExportScheduler).stop();
    await b?.close();
    await a?.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('with a short interval on two runners, each tenant with new events gets exactly one export, a tenant without none', async () => {
    const { AuditExportScheduler, BackgroundDuties } = await import('@app/duties');
    expect(a.app.get(BackgroundDuties).running.auditExport).toBe(false); // AUDIT_EXPORT_INTERVAL_MS=0: off
    a.app.get(AuditExportScheduler).start(INTERVAL_MS);
    b.app.get(AuditExportScheduler).start(INTERVAL_MS);
    await until(
      async () => [(await exportsOf(busy1.tenantId)).length, (await exportsOf(busy2.tenantId)).length],
      ([x, y]) => x! > 0 && y! > 0,
      'both busy tenants to be exported',
    );
    // Several more beats on both runners: nothing new happened, so nothing more is exported.
    await new Promise((r) => setTimeout(r, INTERVAL_MS * 5));
    for (const s of [busy1, busy2]) {
      const rows = await exportsOf(s.tenantId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ fromSeq: '1', actorId: 'audit-export-schedule' });
    }
    const q = await exportsOf(quiet.tenantId);
    expect(q).toHaveLength(1);
    expect(q[0]!.actorId).toBe(quiet.userId); // its own, by hand; the schedule added none
  }, 60_000);

  it('new events are exported once more, contiguously, while both runners keep ticking', async () => {
    await createKey(a.http, busy1, ['inference:run']);
    const rows = await until(
      () => exportsOf(busy1.tenantId),
      (r) => r.length === 2,
      'the second export',
    );
    await new Promise((r) => setTimeout(r, INTERVAL_MS * 4));
    const after = await exportsOf(busy1.tenantId);
    expect(after).toHaveLength(2);
    expect(BigInt(after[1]!.fromSeq)).toBe(BigInt(rows[0]!.toSeq) + 1n); // no overlap, no hole
    expect((await exportsOf(busy2.tenantId)).length).toBe(1);
  }, 60_000);

  it('two runners racing one pass over the same due tenant: one export between them', async () => {
    const { AuditExportScheduler } = await import('@app/duties');
    const [sa, sb] = [a.app.get(AuditExportScheduler), b.app.get(AuditExportScheduler)];
    await Promise.all([sa.stop(), sb.stop()]);
    await createKey(a.http, busy2, ['inference:run']);
    const later = new Date(Date.now() + INTERVAL_MS);
    const runs = await Promise.all([sa.runOnce(later, INTERVAL_MS), sb.runOnce(later, INTERVAL_MS)]);
    expect(runs.reduce((n, r) => n + r.exported, 0)).toBe(1);
    expect(runs.reduce((n, r) => n + r.failed, 0)).toBe(0);
    expect(runs.map((r) => r.due)).toEqual([1, 1]); // busy2 only: busy1 and quiet had nothing new
    const rows = await exportsOf(busy2.tenantId);
    expect(rows).toHaveLength(2);
    expect(BigInt(rows[1]!.fromSeq)).toBe(BigInt(rows[0]!.toSeq) + 1n);
    // The same pass again on either: the tenant has nothing new, the claim's interval has not passed.
    const again = await sb.runOnce(new Date(later.getTime() + 1), INTERVAL_MS);
    expect(again).toMatchObject({ exported: 0, failed: 0 });
  }, 60_000);

  it('after the scheduled export, the retention purge frees the exported range and the chain still verifies', async () => {
    const { AuditPurgeScheduler } = await import('@app/duties');
    const rows = await exportsOf(busy2.tenantId);
    await a.sql.query(`update tenants set "auditRetentionDays" = 180 where id = $1`, [busy2.tenantId]);
    const run = await a.app.get(AuditPurgeScheduler).runOnce(new Date(Date.now() + 200 * 86_400_000));
    expect(run.failed).toBe(0);
    const left = await a.sql.query<{ min: string }>(
      `select min(seq)::text as min from audit_events where "tenantId" = $1`,
      [busy2.tenantId],
    );
    expect(BigInt(left.rows[0]!.min)).toBe(BigInt(rows[1]!.toSeq) + 1n); // both exported ranges are gone
    const v = await gql(a.http, `{ verifyAuditChain { ok } }`, {}, { session: busy2 });
    expect(v.body.data.verifyAuditChain.ok).toBe(true);
  }, 60_000);

  it('a failing export is counted and logged without a server path; the other tenants are still exported', async () => {
    const { AuditExportScheduler } = await import('@app/duties');
    const s = a.app.get(AuditExportScheduler);
    // A file where the tenant's export folder must go: the copy fails with an fs error naming paths.
    await createKey(a.http, busy1, ['inference:run']);
    await createKey(a.http, quiet, ['inference:run']);
    await mkdir(path.join(dirs[0]!, 'audit'), { recursive: true });
    await rm(path.join(dirs[0]!, 'audit', busy1.tenantId), { recursive: true, force: true });
    await writeFile(path.join(dirs[0]!, 'audit', busy1.tenantId), 'not a folder');
    const lines: string[] = [];
    const spies = (['log', 'warn', 'error'] as const).map((m) =>
      jest.spyOn(Logger.prototype, m).mockImplementation((...args: unknown[]) => void lines.push(String(args[0]))),
    );
    try {
      const run = await s.runOnce(new Date(Date.now() + 10 * INTERVAL_MS), INTERVAL_MS);
      expect(run).toMatchObject({ exported: 1, failed: 1 });
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    expect(lines.some((l) => l.includes(`tenant ${busy1.tenantId} failed`))).toBe(true);
    for (const l of lines) for (const p of [dirs[0]!, os.tmpdir(), 'file://']) expect(l).not.toContain(p);
    expect((await exportsOf(quiet.tenantId)).length).toBe(2);
    // The tenant asking for it itself gets INTERNAL, and no path either.
    const res = await gql(a.http, EXPORT, {}, { session: busy1 });
    expect(res.body.errors?.[0]).toMatchObject({ extensions: { code: 'INTERNAL' } });
    expect(JSON.stringify(res.body)).not.toContain(dirs[0]!);
  }, 60_000);
});
