import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { S3ExportSink } from './s3-export.sink';

/** A fake S3 endpoint at the wire: it records each PUT and answers as S3 does. */
function fakeS3() {
  const puts: { url: string; headers: IncomingHttpHeaders; body: Buffer }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      puts.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(200, { ETag: '"etag"', 'x-amz-version-id': 'v1' });
      res.end();
    });
  });
  return { server, puts };
}

describe('S3ExportSink (Object Lock, compliance mode)', () => {
  let server: Server;
  let puts: ReturnType<typeof fakeS3>['puts'];
  let dir: string;
  beforeAll(async () => {
    ({ server, puts } = fakeS3());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    dir = await mkdtemp(path.join(os.tmpdir(), 's3-sink-'));
  });
  afterAll(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('puts the file with COMPLIANCE mode, a retain-until date and its SHA-256 checksum', async () => {
    const { port } = server.address() as AddressInfo;
    const s3 = new S3Client({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' },
    });
    const now = new Date('2026-11-28T12:00:00.000Z');
    const sink = new S3ExportSink(s3, { bucket: 'audit-bucket', prefix: 'audit/', lockDays: 2192, now: () => now });
    const file = path.join(dir, 'x.jsonl');
    const content = '{"seq":"1"}\n{"seq":"2"}\n';
    await writeFile(file, content);
    const sha = createHash('sha256').update(content).digest('hex');

    const uri = await sink.put('ten_1/exp_1.jsonl', file, 'application/x-ndjson', sha);

    expect(uri).toBe('s3://audit-bucket/audit/ten_1/exp_1.jsonl');
    expect(puts).toHaveLength(1);
    const put = puts[0]!;
    expect(put.url.split('?')[0]).toBe('/audit-bucket/audit/ten_1/exp_1.jsonl');
    expect(put.headers['x-amz-object-lock-mode']).toBe('COMPLIANCE');
    expect(new Date(put.headers['x-amz-object-lock-retain-until-date'] as string).toISOString()).toBe(
      new Date(now.getTime() + 2192 * 86_400_000).toISOString(),
    );
    expect(put.headers['x-amz-checksum-sha256']).toBe(Buffer.from(sha, 'hex').toString('base64'));
    expect(put.headers['content-type']).toBe('application/x-ndjson');
    expect(put.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAFAKE\//);
    expect(put.body.toString()).toBe(content);
  });
});
