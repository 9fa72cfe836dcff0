import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { AuditExportLinkService } from '@app/audit';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { verifyExport } from '@app/audit';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { needsPostgres } from '../support/database';
import { Session, TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';

const d = needsPostgres('audit e2e') ? describe : describe.skip;

const EVENTS = `query($filter: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id seq occurredAt actor { type id } action target { type id } requestId metadata hash prevHash } }
    pageInfo { hasNextPage endCursor } } }`;
const VERIFY = `query($from: DateTime, $to: DateTime) { verifyAuditChain(from: $from, to: $to) { ok checked firstBadSeq } }`;
const EXPORT = `mutation($from: DateTime, $to: DateTime) { exportAuditLog(from: $from, to: $to) {
  id fromSeq toSeq count uri digestUri location digestLocation downloadUrl digestDownloadUrl downloadExpiresAt sha256 keyId } }`;
const DOWNLOAD = `query($id: ID!) { auditExportDownload(id: $id) { id uri digestUri location downloadUrl digestDownloadUrl downloadExpiresAt } }`;

/** GETs a signed link's path from the app (the link's host is PUBLIC_URL; the test talks to the app itself). */
const fetchLink = (t: TestApp, link: string) =>
  request(t.http)
    .get(new URL(link).pathname)
    .set('user-agent', 'audit-e2e')
    .buffer(true)
    .parse((res, cb) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => cb(null, Buffer.concat(chunks)));
    });

d('audit log: listing, permissions, verification, settings, export and purge', () => {
  let t: TestApp;
  let dataDir: string;
  let owner: Session;
  let other: Session;
  let exported: { jsonl: string; digest: string; forged: string; pem: string };
  let forgedAnchorTenant: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'audit-e2e-'));
    const signingKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    t = await startTestApp({ DATA_DIR: dataDir, DATABASE_POOL_SIZE: '8', AUDIT_SIGNING_KEY: signingKey });
    owner = await signUp(t.http, 'Audited');
    other = await signUp(t.http, 'Elsewhere');
    await createKey(t.http, owner, ['inference:run']);
    await createKey(t.http, other, ['inference:run']);
  });
  afterAll(async () => {
    await t.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const setRole = (s: Session, role: string) =>
    t.sql.query(`update memberships set role = $2 where "userId" = $1`, [s.userId, role]);

  it("an owner lists the tenant's events, newest first, with actor, target and chain fields; nothing secret", async () => {
    const res = await gql(t.http, EVENTS, { first: 10 }, { session: owner });
    expect(res.body.errors).toBeUndefined();
    const nodes = res.body.data.auditEvents.edges.map((e: { node: Record<string, unknown> }) => e.node);
    expect(nodes.map((n: { action: string }) => n.action)).toEqual(['api_key.create', 'user.sign_up', 'tenant.create']);
    expect(nodes.map((n: { seq: number }) => n.seq)).toEqual([3, 2, 1]);
    expect(nodes[2].prevHash).toBe('0'.repeat(64));
    expect(nodes[1].prevHash).toBe(nodes[2].hash);
    expect(nodes[0]).toMatchObject({ actor: { type: 'user', id: owner.userId }, target: { type: 'api_key' } });
    expect(JSON.stringify(nodes)).not.toMatch(/mk_live_[1-9A-HJ-NP-Za-km-z]{20,}|Corr3ct-Horse/);
  });

  it('filters by action (exact and prefix), actor, target and time; paginates by cursor', async () => {
    const byAction = await gql(t.http, EVENTS, { filter: { action: 'api_key.*' } }, { session: owner });
    expect(byAction.body.data.auditEvents.edges).toHaveLength(1);
    const keyId = byAction.body.data.auditEvents.edges[0].node.target.id;
    const byTarget = await gql(
      t.http,
      EVENTS,
      { filter: { targetType: 'api_key', targetId: keyId } },
      { session: owner },
    );
    expect(byTarget.body.data.auditEvents.edges.map((e: { node: { action: string } }) => e.node.action)).toEqual([
      'api_key.create',
    ]);
    const byActor = await gql(
      t.http,
      EVENTS,
      { filter: { actorType: 'user', actorId: owner.userId } },
      { session: owner },
    );
    expect(byActor.body.data.auditEvents.edges.length).toBeGreaterThanOrEqual(2);
    const future = await gql(
      t.http,
      EVENTS,
      { filter: { from: new Date(Date.now() + 3_600_000).toISOString() } },
      { session: owner },
    );
    expect(future.body.data.auditEvents.edges).toEqual([]);
    const p1 = await gql(t.http, EVENTS, { first: 2 }, { session: owner });
    expect(p1.body.data.auditEvents.pageInfo.hasNextPage).toBe(true);
    const p2 = await gql(
      t.http,
      EVENTS,
      { first: 2, after: p1.body.data.auditEvents.pageInfo.endCursor },
      { session: owner },
    );
    const seqs = [...p1.body.data.auditEvents.edges, ...p2.body.data.auditEvents.edges].map(
      (e: { node: { seq: number } }) => e.node.seq,
    );
    expect(seqs.slice(0, 3)).toEqual([3, 2, 1]);
  });

  it('bad filters are BAD_USER_INPUT: bad cursor, first > 100, from after to', async () => {
    const cases = [
      { first: 10, after: 'not-a-cursor' },
      { first: 101 },
      { first: 0 },
      { filter: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } },
    ];
    for (const vars of cases) {
      const res = await gql(t.http, EVENTS, vars, { session: owner });
      expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    }
    const v = await gql(
      t.http,
      VERIFY,
      { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' },
      { session: owner },
    );
    expect(v.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it("another tenant's events are invisible: its ids and filters give nothing", async () => {
    const mine = await gql(t.http, EVENTS, { first: 100 }, { session: owner });
    const theirs = await gql(t.http, EVENTS, { first: 100 }, { session: other });
    const mineIds = new Set(mine.body.data.auditEvents.edges.map((e: { node: { id: string } }) => e.node.id));
    for (const e of theirs.body.data.auditEvents.edges) expect(mineIds.has(e.node.id)).toBe(false);
    const byOtherActor = await gql(t.http, EVENTS, { filter: { actorId: other.userId } }, { session: owner });
    expect(byOtherActor.body.data.auditEvents.edges).toEqual([]);
    const byOtherTarget = await gql(t.http, EVENTS, { filter: { targetId: other.tenantId } }, { session: owner });
    expect(byOtherTarget.body.data.auditEvents.edges).toEqual([]);
  });

  it('an auditor and an audit:read key can read and verify; a developer and an inference key cannot (FORBIDDEN)', async () => {
    const key = await createKey(t.http, owner, ['audit:read']);
    const inferenceKey = await createKey(t.http, owner, ['inference:run']);
    const asKey = await gql(t.http, VERIFY, {}, { key: key.secret });
    expect(asKey.body.data.verifyAuditChain).toMatchObject({ ok: true, firstBadSeq: null });
    expect((await gql(t.http, EVENTS, {}, { key: inferenceKey.secret })).body.errors[0].extensions.code).toBe(
      'FORBIDDEN',
    );
    await setRole(owner, 'AUDITOR');
    try {
      expect((await gql(t.http, EVENTS, {}, { session: owner })).body.errors).toBeUndefined();
      expect((await gql(t.http, VERIFY, {}, { session: owner })).body.data.verifyAuditChain.ok).toBe(true);
      // An auditor reads; changing the settings is for owners and admins.
      expect(
        (await gql(t.http, `mutation { setAuditRetention(days: 365) { retentionDays } }`, {}, { session: owner })).body
          .errors[0].extensions.code,
      ).toBe('FORBIDDEN');
      await setRole(owner, 'DEVELOPER');
      expect((await gql(t.http, EVENTS, {}, { session: owner })).body.errors[0].extensions.code).toBe('FORBIDDEN');
      expect((await gql(t.http, VERIFY, {}, { session: owner })).body.errors[0].extensions.code).toBe('FORBIDDEN');
    } finally {
      await setRole(owner, 'OWNER');
    }
  });

  it('retention (180 days to six years) and payload logging are owner/admin settings, each change audited', async () => {
    for (const days of [179, 2193, 0]) {
      const res = await gql(
        t.http,
        `mutation($d: Int!) { setAuditRetention(days: $d) { retentionDays } }`,
        { d: days },
        { session: owner },
      );
      expect(res.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    }
    expect(
      (await gql(t.http, `{ auditSettings { retentionDays payloadLogging } }`, {}, { session: owner })).body.data
        .auditSettings,
    ).toEqual({ retentionDays: 400, payloadLogging: false });
    const set = await gql(
      t.http,
      `mutation { setAuditRetention(days: 2192) { retentionDays } }`,
      {},
      { session: owner },
    );
    expect(set.body.data.setAuditRetention.retentionDays).toBe(2192);
    const pl = await gql(
      t.http,
      `mutation { setPayloadLogging(enabled: true) { payloadLogging } }`,
      {},
      { session: owner },
    );
    expect(pl.body.data.setPayloadLogging.payloadLogging).toBe(true);
    const ev = await gql(t.http, EVENTS, { filter: { action: 'audit.*' } }, { session: owner });
    expect(
      ev.body.data.auditEvents.edges.map((e: { node: { action: string; metadata: unknown } }) => [
        e.node.action,
        e.node.metadata,
      ]),
    ).toEqual([
      ['audit.payload_logging_change', { from: false, to: true }],
      ['audit.retention_change', { from: 400, to: 2192 }],
    ]);
  });

  it('the table refuses UPDATE, DELETE and TRUNCATE even from the database owner', async () => {
    await expect(
      t.sql.query(`update audit_events set action = 'x' where "tenantId" = $1`, [owner.tenantId]),
    ).rejects.toThrow(/append-only/);
    await expect(t.sql.query(`delete from audit_events where "tenantId" = $1`, [owner.tenantId])).rejects.toThrow(
      /append-only/,
    );
    await expect(t.sql.query(`truncate audit_events`)).rejects.toThrow(/append-only/);
  });

  it('exports JSON Lines with a signed digest behind short-lived signed links; it verifies offline, a changed byte does not', async () => {
    const res = await gql(t.http, EXPORT, {}, { session: owner });
    expect(res.body.errors).toBeUndefined();
    const x = res.body.data.exportAuditLog;
    expect(x.fromSeq).toBe(1);
    expect(x.count).toBe(x.toSeq);
    // As the tenant sees it: a link to this api, never a place on the server's disk.
    expect(x.uri).toMatch(new RegExp(`^http://localhost:\\d+/audit-exports/[^/]+/${x.id}\\.jsonl$`));
    expect(x.digestUri).toMatch(new RegExp(`/audit-exports/[^/]+/${x.id}\\.digest\\.json$`));
    expect(x).toMatchObject({
      downloadUrl: x.uri,
      digestDownloadUrl: x.digestUri,
      location: null,
      digestLocation: null,
    });
    const ttl = new Date(x.downloadExpiresAt).getTime() - Date.now();
    expect(ttl).toBeGreaterThan(800_000);
    expect(ttl).toBeLessThanOrEqual(900_000);
    const got = await fetchLink(t, x.downloadUrl);
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toMatch(/application\/x-ndjson/);
    expect(got.headers['content-disposition']).toBe(`attachment; filename="${x.id}.jsonl"`);
    const dig = await fetchLink(t, x.digestDownloadUrl);
    expect(dig.status).toBe(200);
    const dl = await mkdtemp(path.join(os.tmpdir(), 'audit-dl-'));
    const file = path.join(dl, `${x.id}.jsonl`);
    const digestFile = path.join(dl, `${x.id}.digest.json`);
    await writeFile(file, got.body as Buffer);
    await writeFile(digestFile, dig.body as Buffer);
    const pem = (await gql(t.http, `{ auditSigningKey { keyId publicKeyPem } }`, {}, { session: owner })).body.data
      .auditSigningKey;
    expect(pem.keyId).toBe(x.keyId);
    const good = await verifyExport(file, digestFile, createPublicKey(pem.publicKeyPem));
    expect(good).toMatchObject({ ok: true, count: x.count, keyPinned: true });
    const lines = (await readFile(file, 'utf8')).split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ seq: '1', action: 'tenant.create', tenantId: owner.tenantId });
    const forged = path.join(dataDir, 'forged.jsonl');
    await writeFile(forged, (await readFile(file, 'utf8')).replace('"user.sign_up"', '"user.sign_uq"'));
    const bad = await verifyExport(forged, digestFile, createPublicKey(pem.publicKeyPem));
    expect(bad.ok).toBe(false);
    expect(bad.firstBadSeq).toBe('2');
    const ev = await gql(t.http, EVENTS, { filter: { action: 'audit.export' } }, { session: owner });
    expect(ev.body.data.auditEvents.edges[0].node.metadata).toMatchObject({
      sha256: x.sha256,
      fromSeq: '1',
      location: `local:${owner.tenantId}/${x.id}.jsonl`,
    });
    // Each download through the api is audited, with the actor the link was issued to and the client.
    const downloads = await gql(t.http, EVENTS, { filter: { action: 'audit.export_download' } }, { session: owner });
    const nodes = downloads.body.data.auditEvents.edges.map((e: { node: Record<string, unknown> }) => e.node);
    expect(nodes).toHaveLength(2);
    expect(nodes[0]).toMatchObject({
      actor: { type: 'user', id: owner.userId },
      target: { type: 'audit_export', id: x.id },
      metadata: { file: 'digest', userAgent: 'audit-e2e' },
    });
    expect(nodes[1].metadata).toMatchObject({ file: 'jsonl' });
    expect(typeof (nodes[1].metadata as { sourceIp: unknown }).sourceIp).toBe('string');
    // Nothing the tenant was answered names a path of the server's disk.
    const answers = JSON.stringify([res.body, ev.body, downloads.body]);
    for (const p of [dataDir, os.tmpdir(), 'file://']) expect(answers).not.toContain(p);
    exported = { jsonl: file, digest: digestFile, forged, pem: path.join(dataDir, 'public.pem') };
    await writeFile(exported.pem, pem.publicKeyPem);
  });

  it('download links: fresh ones on request, refused when tampered with, for another file or expired; another tenant gets NOT_FOUND', async () => {
    const x = (await gql(t.http, EXPORT, {}, { session: other })).body.data.exportAuditLog;
    const fresh = await gql(t.http, DOWNLOAD, { id: x.id }, { session: other });
    expect(fresh.body.errors).toBeUndefined();
    expect(fresh.body.data.auditExportDownload).toMatchObject({ id: x.id, location: null });
    expect((await fetchLink(t, fresh.body.data.auditExportDownload.downloadUrl)).status).toBe(200);
    // Another tenant's export, by id: as if it did not exist.
    const cross = await gql(t.http, DOWNLOAD, { id: x.id }, { session: owner });
    expect(cross.body.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'AUDIT_EXPORT_NOT_FOUND' });
    const none = await gql(t.http, DOWNLOAD, { id: 'exp_nope' }, { session: other });
    expect(none.body.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'AUDIT_EXPORT_NOT_FOUND' });
    // A link is bound to its export: the other tenant's file under this token is refused.
    const [, token] = new URL(x.downloadUrl).pathname.split('/').slice(1);
    const mine = (await gql(t.http, EXPORT, {}, { session: owner })).body.data.exportAuditLog;
    const swapped = await fetchLink(t, `http://h/audit-exports/${token}/${mine.id}.jsonl`);
    expect(swapped.status).toBe(403);
    expect(swapped.body.toString()).toContain('AUDIT_DOWNLOAD_LINK_INVALID');
    const [body, sig] = token!.split('.');
    const grant = JSON.parse(Buffer.from(body!, 'base64url').toString()) as unknown[];
    grant[0] = owner.tenantId;
    grant[1] = mine.id;
    const tampered = `${Buffer.from(JSON.stringify(grant)).toString('base64url')}.${sig}`;
    const forged = await fetchLink(t, `http://h/audit-exports/${tampered}/${mine.id}.jsonl`);
    expect(forged.status).toBe(403);
    expect(forged.body.toString()).toContain('AUDIT_DOWNLOAD_LINK_INVALID');
    expect((await fetchLink(t, `http://h/audit-exports/garbage/${mine.id}.jsonl`)).body.toString()).toContain(
      'AUDIT_DOWNLOAD_LINK_INVALID',
    );
    // A link issued two hours ago (15 minutes' life) has expired.
    const old = await t.app
      .get(AuditExportLinkService)
      .links(other.tenantId, x.id, { type: 'user', id: other.userId }, Date.now() - 7_200_000);
    const expired = await fetchLink(t, old.downloadUrl);
    expect(expired.status).toBe(403);
    expect(expired.body.toString()).toContain('AUDIT_DOWNLOAD_LINK_EXPIRED');
    for (const r of [swapped, forged, expired]) {
      for (const p of [dataDir, os.tmpdir(), 'file://']) expect(r.body.toString()).not.toContain(p);
    }
    // Refusals downloaded nothing, so audited nothing: only the one good download is recorded.
    const n = await t.sql.query(
      `select count(*)::int as n from audit_events where "tenantId" = $1 and action = 'audit.export_download'`,
      [other.tenantId],
    );
    expect(n.rows[0].n).toBe(1);
  });

  it('purges only what is past retention and exported; the purge is audited and the chain still verifies from the signed anchor', async () => {
    const s = await signUp(t.http, 'Retained');
    await t.sql.query(`update tenants set "auditRetentionDays" = 180 where id = $1`, [s.tenantId]);
    for (let i = 0; i < 3; i++) await createKey(t.http, s, ['inference:run']);
    // Nothing exported yet: nothing may leave, whatever its age.
    const now = Date.now();
    const early = await gql(t.http, `mutation { purgeExpiredAuditEvents { deleted throughSeq } }`, {}, { session: s });
    expect(early.body.data.purgeExpiredAuditEvents).toEqual({ deleted: 0, throughSeq: null });
    const x = (await gql(t.http, EXPORT, {}, { session: s })).body.data.exportAuditLog;
    expect(x.toSeq).toBe(5);
    // Exported but recent: stays.
    expect(
      (await gql(t.http, `mutation { purgeExpiredAuditEvents { deleted } }`, {}, { session: s })).body.data
        .purgeExpiredAuditEvents.deleted,
    ).toBe(0);
    // 200 days later the exported range is past retention.
    const service = t.app.get((await import('@app/audit')).AuditRetentionService);
    const purged = await service.purgeExpired(
      s.tenantId,
      { type: 'system', id: null },
      null,
      new Date(now + 200 * 86_400_000),
    );
    expect(purged).toMatchObject({ deleted: 5, throughSeq: 5, anchorExportId: x.id });
    const left = (
      await t.sql.query(`select seq, action from audit_events where "tenantId" = $1 order by seq`, [s.tenantId])
    ).rows;
    expect(left.map((r) => [Number(r.seq), r.action])).toEqual([
      [6, 'audit.export'],
      [7, 'audit.purge'],
    ]);
    expect((await gql(t.http, VERIFY, {}, { session: s })).body.data.verifyAuditChain).toEqual({
      ok: true,
      checked: 2,
      firstBadSeq: null,
    });
    // Deleting exported (not yet expired) rows by hand and marking their export purged is caught:
    // no audit.purge event in the chain vouches for that anchor.
    const y = (await gql(t.http, EXPORT, {}, { session: s })).body.data.exportAuditLog;
    await t.sql.query('begin');
    await t.sql.query('set local session_replication_role = replica');
    await t.sql.query(`delete from audit_events where "tenantId" = $1 and seq <= $2`, [s.tenantId, y.toSeq]);
    await t.sql.query(`update audit_exports set "purgedAt" = now() where id = $1`, [y.id]);
    await t.sql.query('commit');
    expect((await gql(t.http, VERIFY, {}, { session: s })).body.data.verifyAuditChain).toMatchObject({
      ok: false,
      firstBadSeq: y.toSeq,
    });
    await t.sql.query(`update audit_exports set "purgedAt" = null where id = $1`, [y.id]);
    // A forged anchor (its hash changed) is caught.
    await t.sql.query(`update audit_exports set "lastHash" = repeat('a', 64) where id = $1`, [x.id]);
    forgedAnchorTenant = s.tenantId;
    expect((await gql(t.http, VERIFY, {}, { session: s })).body.data.verifyAuditChain).toMatchObject({
      ok: false,
      firstBadSeq: 5,
    });
  });

  it('the CLIs: audit:verify exits 0 for a sound chain and 1 naming the broken one; verify-export checks files offline', async () => {
    const run = async (script: string, args: string[]) => {
      const env = { ...process.env, DATABASE_URL: t.db.url, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
      try {
        const { stdout } = await promisify(execFile)(
          process.execPath,
          ['--require', './test/bench/register.js', `libs/audit/src/cli/${script}.ts`, ...args],
          { env },
        );
        return { code: 0, stdout };
      } catch (e) {
        const err = e as { code: number; stdout: string; stderr: string };
        return { code: err.code, stdout: err.stdout + err.stderr };
      }
    };
    const one = await run('audit-verify', ['--tenant', owner.tenantId]);
    expect(one).toMatchObject({ code: 0 });
    expect(one.stdout).toMatch(new RegExp(`^ok\\s+${owner.tenantId}`));
    const all = await run('audit-verify', ['--json']);
    expect(all.code).toBe(1);
    const lines = all.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.filter((l) => !l.ok).map((l) => [l.tenantId, l.firstBadSeq])).toEqual([[forgedAnchorTenant, '5']]);
    expect(await run('verify-export', [exported.jsonl, '--public-key', exported.pem])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^VALID .*\(pinned\)/),
    });
    const bad = await run('verify-export', [exported.forged, exported.digest, '--public-key', exported.pem]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/INVALID[\s\S]*chain broken at seq 2/);
  }, 60_000);
});
