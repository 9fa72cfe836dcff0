import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, IncomingHttpHeaders, request as httpRequest, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { needsPostgres } from '../support/database';
import { startS3Server, S3Server } from '../support/s3-server';
import { Session, TestApp, gql, signUp, startTestApp } from '../support/test-app';

const d = needsPostgres('audit export to S3 e2e') ? describe : describe.skip;

const EXPORT = `mutation { exportAuditLog { id count sha256 uri digestUri location digestLocation downloadUrl digestDownloadUrl downloadExpiresAt } }`;
const BUCKET = 'audit-exports';

/**
 * A recording pass-through in front of s3rver: s3rver stores and serves the objects for real but
 * keeps no Object Lock, so the lock headers are asserted here, at the wire, as S3 would receive them.
 */
function recordingProxy(target: string) {
  const seen: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
  const to = new URL(target);
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const up = httpRequest(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  return { server, seen };
}

d('audit exports to S3 (s3rver): Object Lock headers, s3:// locations and presigned GETs', () => {
  let s3: S3Server;
  let proxy: Server;
  let seen: ReturnType<typeof recordingProxy>['seen'];
  let t: TestApp;
  let dataDir: string;
  let owner: Session;

  beforeAll(async () => {
    s3 = await startS3Server([BUCKET]);
    ({ server: proxy, seen } = recordingProxy(s3.endpoint));
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'audit-s3-'));
    const signingKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    t = await startTestApp({
      DATA_DIR: dataDir,
      AUDIT_SIGNING_KEY: signingKey,
      AUDIT_EXPORT_S3_BUCKET: BUCKET,
      AUDIT_EXPORT_S3_ENDPOINT: endpoint,
      AUDIT_EXPORT_S3_REGION: 'us-east-1',
      AUDIT_OBJECT_LOCK_DAYS: '30',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    });
    owner = await signUp(t.http, 'Locked');
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    proxy?.close();
    await s3?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('puts both files with COMPLIANCE lock and checksum; answers s3:// and presigned GETs that download them', async () => {
    const before = Date.now();
    const res = await gql(t.http, EXPORT, {}, { session: owner });
    expect(res.body.errors).toBeUndefined();
    const x = res.body.data.exportAuditLog;
    const key = `audit/${owner.tenantId}/${x.id}`;
    expect(x).toMatchObject({
      uri: `s3://${BUCKET}/${key}.jsonl`,
      location: `s3://${BUCKET}/${key}.jsonl`,
      digestUri: `s3://${BUCKET}/${key}.digest.json`,
      digestLocation: `s3://${BUCKET}/${key}.digest.json`,
    });
    const puts = seen.filter((s) => s.method === 'PUT');
    expect(puts.map((p) => p.url.split('?')[0])).toEqual([`/${BUCKET}/${key}.jsonl`, `/${BUCKET}/${key}.digest.json`]);
    for (const p of puts) {
      expect(p.headers['x-amz-object-lock-mode']).toBe('COMPLIANCE');
      const until = new Date(p.headers['x-amz-object-lock-retain-until-date'] as string).getTime();
      expect(until).toBeGreaterThanOrEqual(before + 30 * 86_400_000 - 1000);
      expect(until).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000 + 1000);
      expect(p.headers['x-amz-checksum-sha256']).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect(p.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=S3RVER\//);
    }
    expect(puts[0]!.headers['x-amz-checksum-sha256']).toBe(Buffer.from(x.sha256, 'hex').toString('base64'));
    // The presigned GET works with no other credential, straight from the store.
    const url = new URL(x.downloadUrl);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    const got = await fetch(x.downloadUrl);
    expect(got.status).toBe(200);
    const bytes = Buffer.from(await got.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(x.sha256);
    expect(bytes.toString().trim().split('\n')).toHaveLength(x.count);
    const digest = await fetch(x.digestDownloadUrl);
    expect(digest.status).toBe(200);
    expect(((await digest.json()) as { exportId: string }).exportId).toBe(x.id);
    // (s3rver does not check presigned signatures, so a tampered URL is not tested here: S3 refuses it.)
    // Nothing names the server's disk.
    expect(JSON.stringify(res.body)).not.toContain(dataDir);
    const fresh = await gql(
      t.http,
      `query($id: ID!) { auditExportDownload(id: $id) { uri downloadUrl } }`,
      { id: x.id },
      { session: owner },
    );
    expect(fresh.body.data.auditExportDownload.uri).toBe(x.uri);
    expect((await fetch(fresh.body.data.auditExportDownload.downloadUrl)).status).toBe(200);
  }, 60_000);
});
