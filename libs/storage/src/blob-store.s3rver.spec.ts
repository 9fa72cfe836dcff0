import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { S3Server, startS3Server } from '../../../test/support/s3-server';
import { BlobExists, BlobNotFound, BlobStore } from './blob-store';
import { LocalBlobStore } from './local-blob-store';
import { S3BlobStore } from './s3-blob-store';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const text = async (s: Readable) => {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
};

// The same behaviour from both adapters: the S3 one against a real S3-compatible server (s3rver).
describe.each(['local', 's3'] as const)('BlobStore (%s)', (kind) => {
  let s3: S3Server | undefined;
  let dir: string;
  let store: BlobStore;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'blob-store-'));
    if (kind === 's3') {
      s3 = await startS3Server(['blobs']);
      store = new S3BlobStore({
        bucket: 'blobs',
        keyPrefix: 'pre/',
        endpoint: s3.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
      });
    } else
      store = new LocalBlobStore(dir, { presignBaseUrl: 'http://api.test/storage', signingSecret: 'x'.repeat(32) });
  });
  afterAll(async () => {
    (store as S3BlobStore).destroy?.();
    await s3?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('puts buffers and streams, reads them back whole or streamed, heads and lists by prefix', async () => {
    await store.put('a/one.bin', Buffer.from([1, 2, 3]));
    await store.put('a/b/two.txt', Readable.from([Buffer.from('hello '), Buffer.from('world')]));
    await store.put('c/three.txt', Buffer.from('x'));
    expect(await store.get('a/one.bin')).toEqual(Buffer.from([1, 2, 3]));
    expect(await text(await store.stream('a/b/two.txt'))).toBe('hello world');
    expect(await store.head('a/b/two.txt')).toMatchObject({ key: 'a/b/two.txt', size: 11 });
    expect(await store.head('a/nothing')).toBeNull();
    expect((await store.list('a/')).map((b) => b.key).sort()).toEqual(['a/b/two.txt', 'a/one.bin']);
    expect((await store.list('a/b')).map((b) => b.key)).toEqual(['a/b/two.txt']);
    expect(store.keyOf(store.uri('a/one.bin'))).toBe('a/one.bin');
    expect(store.keyOf(kind === 's3' ? 's3://other/pre/a' : 'file:///elsewhere/a')).toBeNull();
  });

  it('refuses a missing object, an unsafe key, and a second write where ifAbsent', async () => {
    await expect(store.get('nope')).rejects.toBeInstanceOf(BlobNotFound);
    await expect(store.stream('nope')).rejects.toBeInstanceOf(BlobNotFound);
    await expect(store.put('../escape', Buffer.from('x'))).rejects.toThrow(/unsafe storage key/);
    await store.put('once', Buffer.from('1'), { ifAbsent: true });
    await expect(store.put('once', Buffer.from('2'), { ifAbsent: true })).rejects.toBeInstanceOf(BlobExists);
    expect((await store.get('once')).toString()).toBe('1');
  });

  it('deletes (a missing key is no error)', async () => {
    await store.delete(['a/one.bin', 'a/never']);
    expect(await store.head('a/one.bin')).toBeNull();
    expect(await store.head('a/b/two.txt')).not.toBeNull();
  });

  if (kind === 's3') {
    it('a presigned PUT done with plain fetch stores exactly the signed bytes; a presigned GET reads them', async () => {
      const body = Buffer.from('presigned body');
      const put = await store.presignPut('up/file.bin', { contentLength: body.length, expiresInSeconds: 60 });
      expect(put.url).toContain('X-Amz-Signature=');
      expect(put.url).toMatch(/X-Amz-SignedHeaders=[^&]*content-length/);
      const res = await fetch(put.url, { method: 'PUT', headers: put.headers, body });
      expect(res.status).toBe(200);
      expect(await store.get('up/file.bin')).toEqual(body);

      const get = await store.presignGet('up/file.bin', { expiresInSeconds: 60 });
      const read = await fetch(get.url);
      expect(read.status).toBe(200);
      expect(Buffer.from(await read.arrayBuffer())).toEqual(body);
      expect(get.url).toMatch(/X-Amz-Expires=60/);
    });

    // s3rver accepts any SigV4 signature (it does not compute them), so what binds the length and
    // the checksum is shown here by what the URL signs; S3 refuses a request that differs from it.
    it('a presigned PUT signs Content-Length and Content-Type as headers, not as bare query values', async () => {
      const put = await store.presignPut('up/bound.bin', { contentLength: 12, expiresInSeconds: 60 });
      const signed = new URL(put.url).searchParams.get('X-Amz-SignedHeaders')!.split(';');
      expect(signed).toEqual(expect.arrayContaining(['content-length', 'content-type', 'host']));
      expect(put.headers).toEqual({ 'content-type': 'application/octet-stream', 'content-length': '12' });
      // No checksum of the SDK's own making that a browser could not send.
      expect(put.url).not.toMatch(/x-amz-sdk-checksum-algorithm|x-amz-checksum-crc32/i);
    });

    it('a presigned PUT may bind the SHA-256 as a signed header', async () => {
      const body = Buffer.from('checksummed');
      const put = await store.presignPut('up/sum.bin', {
        contentLength: body.length,
        sha256: sha(body),
        expiresInSeconds: 60,
      });
      expect(put.headers['x-amz-checksum-sha256']).toBe(Buffer.from(sha(body), 'hex').toString('base64'));
      expect(put.url).toMatch(/X-Amz-SignedHeaders=[^&]*x-amz-checksum-sha256/);
      expect((await fetch(put.url, { method: 'PUT', headers: put.headers, body })).status).toBe(200);
      expect(await store.get('up/sum.bin')).toEqual(body);
    });
  } else {
    it('presigned URLs are signed api URLs: exact size and SHA-256, once verified, for this store only', async () => {
      const local = store as LocalBlobStore;
      const body = Buffer.from('local presigned');
      const put = await local.presignPut('up/l.bin', {
        contentLength: body.length,
        sha256: sha(body),
        expiresInSeconds: 60,
      });
      expect(put.url).toMatch(/^http:\/\/api\.test\/storage\/[^/]+$/);
      const token = put.url.split('/').pop()!;
      expect(local.verifyPresigned(token, 'GET')).toBeNull();
      const grant = local.verifyPresigned(token, 'PUT')!;
      await expect(local.receivePresigned(grant, Readable.from([Buffer.from('local presignex')]))).rejects.toThrow(
        /SHA-256/,
      );
      await expect(local.receivePresigned(grant, Readable.from([body, body]))).rejects.toThrow(/more than/);
      expect(await local.head('up/l.bin')).toBeNull();
      expect(await local.receivePresigned(grant, Readable.from([body]))).toEqual({
        sizeBytes: body.length,
        sha256: sha(body),
      });
      expect(await local.get('up/l.bin')).toEqual(body);
      const get = await local.presignGet('up/l.bin', { expiresInSeconds: 60 });
      expect(local.verifyPresigned(get.url.split('/').pop()!, 'GET')).toMatchObject({ k: 'up/l.bin' });
      const elsewhere = new LocalBlobStore(path.join(dir, 'other'), { signingSecret: 'x'.repeat(32) });
      expect(elsewhere.verifyPresigned(token, 'PUT')).toBeNull();
      const [b, s] = token.split('.');
      const forged = Buffer.from(JSON.stringify({ ...grant, n: 1 })).toString('base64url');
      expect(local.verifyPresigned(`${forged}.${s}`, 'PUT')).toBeNull();
      expect(local.verifyPresigned(`${b}.${s}`, 'PUT')).not.toBeNull();
    });
  }
});
