import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import request from 'supertest';
import { createHash } from 'node:crypto';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ARTIFACT_STORE, ArtifactStore, ModelUploadService, UploadTokenSigner } from '@app/models';
import { needsPostgres } from '../support/database';
import { S3Server, startS3Server } from '../support/s3-server';
import { TestApp, createKey, gql, signUp, startTestApp, type Session } from '../support/test-app';

const d = needsPostgres('model uploads e2e') ? describe : describe.skip;
const SECRET = 'test-upload-signing-secret-0123456789abcdef';
const UPLOAD = `mutation($i: CreateModelUploadInput!) { createModelUpload(input: $i) { uploadUrl token expiresAt headers { name value } } }`;
const PUBLISH = `mutation($i: PublishModelVersionInput!) { publishModelVersion(input: $i) { version status sizeBytes } }`;
const N = 1000;
const SIGNATURE = {
  inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, N] }],
  outputs: [{ name: 'y', datatype: 'FP32', shape: [-1, N] }],
};

/** A LayersModel whose one shard (dense 1000 x 1000, float32) is about 4 MB: four times the GraphQL body limit. */
async function bigArtifact(): Promise<{ json: Buffer; shard: Buffer }> {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: N, inputShape: [N], kernelInitializer: 'ones' })] });
  let out!: { json: Buffer; shard: Buffer };
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const json = {
        format: 'layers-model',
        modelTopology: a.modelTopology,
        weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }],
      };
      out = { json: Buffer.from(JSON.stringify(json)), shard: Buffer.from(a.weightData as ArrayBuffer) };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  return out;
}

d('models: large uploads through signed upload URLs', () => {
  let t: TestApp;
  let owner: Session;
  let key: string;
  let art: { json: Buffer; shard: Buffer };
  const stagedDir = () => resolve(process.env.DATA_DIR ?? './.data', 'uploads', owner.tenantId);
  const staged = () => (existsSync(stagedDir()) ? readdirSync(stagedDir()) : []);

  beforeAll(async () => {
    t = await startTestApp({ UPLOAD_SIGNING_SECRET: SECRET });
    owner = await signUp(t.http, 'BigModels');
    key = (await createKey(t.http, owner, ['models:read', 'models:write', 'inference:run'])).secret;
    for (const name of ['big', 'other'])
      await gql(
        t.http,
        `mutation($i: CreateModelInput!) { createModel(input: $i) { name } }`,
        { i: { name, task: 'tabular-regression' } },
        { key },
      );
    art = await bigArtifact();
  }, 120_000);
  afterAll(() => t?.close());

  const createUpload = async (
    fileName: string,
    sizeBytes: number,
    auth: { key?: string; session?: Session } = { key },
    model = 'big',
  ) => gql(t.http, UPLOAD, { i: { model, fileName, sizeBytes } }, auth);
  const upload = async (fileName: string, bytes: Buffer) => {
    const res = await createUpload(fileName, bytes.length);
    expect(res.body.errors).toBeUndefined();
    return res.body.data.createModelUpload as { uploadUrl: string; token: string; expiresAt: string };
  };
  const put = (token: string, bytes: Buffer, k: string | null = key) => {
    const req = request(t.http).put(`/uploads/${token}`).set('content-type', 'application/octet-stream');
    if (k) req.set('authorization', `Bearer ${k}`);
    return req.send(bytes);
  };

  it('a 4 MB shard goes by upload URL, model.json inline; the version is READY and predicts; staged files are gone', async () => {
    expect(art.shard.length).toBeGreaterThan(4_000_000);
    const u = await upload('group1-shard1of1.bin', art.shard);
    expect(u.uploadUrl).toMatch(/\/uploads\/[^/]+$/);
    expect(new Date(u.expiresAt).getTime()).toBeGreaterThan(Date.now());
    const res = await put(u.token, art.shard);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ fileName: 'group1-shard1of1.bin', sizeBytes: art.shard.length });
    expect(staged()).toHaveLength(1);

    const files = [{ path: 'model.json', contentBase64: art.json.toString('base64') }];
    const pub = await gql(
      t.http,
      PUBLISH,
      { i: { model: 'big', format: 'layers', ...SIGNATURE, files, uploadTokens: [u.token] } },
      { key },
    );
    expect(pub.body.errors).toBeUndefined();
    expect(pub.body.data.publishModelVersion).toEqual({
      version: 1,
      status: 'READY',
      sizeBytes: art.json.length + art.shard.length,
    });
    expect(staged()).toEqual([]);
    const p = await gql(
      t.http,
      `mutation($i: PredictInput!) { predict(input: $i) { outputs } }`,
      { i: { model: 'big', version: '1', inputs: { x: [Array(N).fill(0.001)] } } },
      { key },
    );
    expect(p.body.errors).toBeUndefined();
    expect(p.body.data.predict.outputs.y[0][0]).toBeCloseTo(1, 3);
  }, 60_000);

  it('session with CSRF may PUT; without CSRF, without credentials or without models:write it may not', async () => {
    const u = await upload('model.json', art.json);
    const bySession = (csrf: boolean) => {
      const req = request(t.http)
        .put(`/uploads/${u.token}`)
        .set('content-type', 'application/octet-stream')
        .set('Cookie', owner.cookie);
      if (csrf) req.set('x-csrf-token', owner.csrf);
      return req.send(art.json);
    };
    expect((await bySession(false)).status).toBe(403);
    expect((await put(u.token, art.json, null)).status).toBe(401);
    const reader = (await createKey(t.http, owner, ['models:read'])).secret;
    expect((await put(u.token, art.json, reader)).status).toBe(403);
    expect((await bySession(true)).status).toBe(201);
    const again = await put(u.token, art.json);
    expect([again.status, again.body.errors[0].extensions.reason]).toEqual([409, 'UPLOAD_ALREADY_RECEIVED']);
  });

  it("refuses oversized, wrong-size, tampered, expired and other tenants' uploads", async () => {
    const tooBig = await createUpload('group1-shard1of1.bin', 20 * 1024 * 1024 + 1); // free plan: 20 MiB
    expect(tooBig.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UPLOAD_TOO_LARGE' });
    const badName = await createUpload('../escape.bin', 10);
    expect(badName.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');

    const u = await upload('group1-shard1of1.bin', art.shard);
    const short = await put(u.token, art.shard.subarray(0, 1000));
    expect([short.status, short.body.errors[0].extensions.reason]).toEqual([400, 'UPLOAD_SIZE_MISMATCH']);
    const longer = await put(u.token, Buffer.concat([art.shard, Buffer.alloc(10)]));
    expect([longer.status, longer.body.errors[0].extensions.reason]).toEqual([400, 'UPLOAD_SIZE_MISMATCH']);

    // Chunked, no Content-Length: the stream itself is cut off one byte past the signed size.
    const chunked = request(t.http)
      .put(`/uploads/${u.token}`)
      .set('content-type', 'application/octet-stream')
      .set('authorization', `Bearer ${key}`);
    chunked.write(art.shard);
    chunked.write(Buffer.alloc(1));
    const over = await chunked;
    expect([over.status, over.body.errors[0].extensions.reason]).toEqual([400, 'UPLOAD_SIZE_MISMATCH']);
    expect(staged().filter((f) => f.includes(new UploadTokenSigner(SECRET).verify(u.token)!.id))).toEqual([]);

    const [body, sig] = u.token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(body!, 'base64url').toString()), size: 10 }),
    ).toString('base64url');
    expect((await put(`${forged}.${sig}`, Buffer.alloc(10))).status).toBe(404);

    const signer = new UploadTokenSigner(SECRET);
    const grant = signer.verify(u.token)!;
    const expired = signer.sign({ ...grant, exp: Math.floor(Date.now() / 1000) - 1 });
    const late = await put(expired, art.shard);
    expect([late.status, late.body.errors[0].extensions.reason]).toEqual([400, 'UPLOAD_EXPIRED']);

    const stranger = await signUp(t.http, 'Stranger');
    const strangerKey = (await createKey(t.http, stranger, ['models:read', 'models:write'])).secret;
    expect((await put(u.token, art.shard, strangerKey)).status).toBe(404);
    const theirs = await gql(
      t.http,
      PUBLISH,
      { i: { model: 'big', format: 'layers', ...SIGNATURE, uploadTokens: [u.token] } },
      { key: strangerKey },
    );
    expect(theirs.body.errors[0].extensions.code).toBe('NOT_FOUND');
    expect((await createUpload('model.json', 10, { key: strangerKey }, 'big')).body.errors[0].extensions.code).toBe(
      'NOT_FOUND',
    );
    expect(staged().filter((f) => f.includes(grant.id))).toEqual([]);
  });

  it("the local store's presigned URLs work over the api's /storage route: exact bytes, no credentials, one key", async () => {
    const blobs = t.app.get<ArtifactStore>(ARTIFACT_STORE).blobs;
    const body = Buffer.from('presigned through the api');
    const sha256 = createHash('sha256').update(body).digest('hex');
    const put = await blobs.presignPut('probe/file.bin', { contentLength: body.length, sha256, expiresInSeconds: 60 });
    const path = new URL(put.url).pathname;
    expect(path).toMatch(/^\/storage\/[^/]+$/);
    const send = (p: string, b: Buffer) =>
      request(t.http).put(p).set('content-type', 'application/octet-stream').send(b);
    const wrong = await send(path, Buffer.from('presigned through the apI'));
    expect([wrong.status, wrong.body.errors[0].extensions.reason]).toEqual([400, 'STORAGE_BODY_REJECTED']);
    expect(await blobs.head('probe/file.bin')).toBeNull();
    expect((await send(path, body)).status).toBe(201);
    expect(await blobs.get('probe/file.bin')).toEqual(body);
    const get = await blobs.presignGet('probe/file.bin', { expiresInSeconds: 60 });
    const read = await request(t.http)
      .get(new URL(get.url).pathname)
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      });
    expect([read.status, Buffer.compare(read.body as Buffer, body)]).toEqual([200, 0]);
    // A PUT token does not read, and a changed token is refused.
    expect((await request(t.http).get(path)).status).toBe(403);
    expect(path.startsWith('/storage/eyJ')).toBe(true); // base64url of the JSON grant
    expect((await send(path.replace('/storage/eyJ', '/storage/fyJ'), body)).status).toBe(403);
    await blobs.delete('probe/file.bin');
  });

  it('publish needs the file uploaded, for the same model; staged files nobody publishes are swept at expiry', async () => {
    const u = await upload('group1-shard1of1.bin', art.shard);
    const files = [{ path: 'model.json', contentBase64: art.json.toString('base64') }];
    const missing = await gql(
      t.http,
      PUBLISH,
      { i: { model: 'big', format: 'layers', ...SIGNATURE, files, uploadTokens: [u.token] } },
      { key },
    );
    expect(missing.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UPLOAD_NOT_RECEIVED' });
    expect((await put(u.token, art.shard)).status).toBe(201);
    const wrongModel = await gql(
      t.http,
      PUBLISH,
      { i: { model: 'other', format: 'layers', ...SIGNATURE, files, uploadTokens: [u.token] } },
      { key },
    );
    expect(wrongModel.body.errors[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'UPLOAD_TOKEN_INVALID',
    });

    const exp = Math.floor(new Date(u.expiresAt).getTime() / 1000);
    const uploads = t.app.get(ModelUploadService);
    // Before its expiry this upload's file stays (files of earlier tests here may expire first).
    await uploads.sweep(exp - 1);
    expect(staged().length).toBeGreaterThan(0);
    expect(await uploads.sweep(exp + 1)).toBeGreaterThan(0);
    expect(staged()).toEqual([]);
  });
});

// Production minus AWS: ARTIFACT_STORE=s3 against a real S3-compatible server (s3rver). The
// client PUTs straight to the bucket with the presigned URL; the api never sees the bytes until
// publish reads the staged object from the store.
d('models: uploads straight to the bucket through presigned S3 PUTs (s3rver)', () => {
  let s3: S3Server;
  let t: TestApp;
  let owner: Session;
  let key: string;
  let art: { json: Buffer; shard: Buffer };
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const objects = async (prefix: string) =>
    ((await s3.client.send(new ListObjectsV2Command({ Bucket: 'platform', Prefix: prefix }))).Contents ?? []).map(
      (o) => o.Key!,
    );
  const createUpload = (i: Record<string, unknown>, k = key) =>
    gql(t.http, UPLOAD, { i: { model: 'big', ...i } }, { key: k });
  const presigned = async (fileName: string, bytes: Buffer, announced = bytes) => {
    const res = await createUpload({ fileName, sizeBytes: announced.length, sha256: sha(announced) });
    expect(res.body.errors).toBeUndefined();
    return res.body.data.createModelUpload as {
      uploadUrl: string;
      token: string;
      headers: { name: string; value: string }[];
    };
  };
  const putTo = (u: { uploadUrl: string; headers: { name: string; value: string }[] }, body: Buffer) =>
    fetch(u.uploadUrl, {
      method: 'PUT',
      headers: Object.fromEntries(u.headers.map((h) => [h.name, h.value])),
      body,
    });
  const publish = (tokens: string[], k = key) =>
    gql(
      t.http,
      PUBLISH,
      {
        i: {
          model: 'big',
          format: 'layers',
          ...SIGNATURE,
          files: [{ path: 'model.json', contentBase64: art.json.toString('base64') }],
          uploadTokens: tokens,
        },
      },
      { key: k },
    );

  beforeAll(async () => {
    s3 = await startS3Server(['platform']);
    t = await startTestApp({
      UPLOAD_SIGNING_SECRET: SECRET,
      ARTIFACT_STORE: 's3',
      ARTIFACT_BUCKET: 'platform',
      ARTIFACT_S3_ENDPOINT: s3.endpoint,
      ARTIFACT_S3_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    });
    owner = await signUp(t.http, 'BucketModels');
    key = (await createKey(t.http, owner, ['models:read', 'models:write', 'inference:run'])).secret;
    await gql(
      t.http,
      `mutation($i: CreateModelInput!) { createModel(input: $i) { name } }`,
      { i: { name: 'big', task: 'tabular-regression' } },
      { key },
    );
    art = await bigArtifact();
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await s3?.stop();
  });

  it('presigned PUT to the bucket, publish from the staged object: stored once by SHA-256, predicts, staging emptied', async () => {
    const u = await presigned('group1-shard1of1.bin', art.shard);
    expect(u.uploadUrl.startsWith(`${s3.endpoint}/platform/uploads/${owner.tenantId}/`)).toBe(true);
    expect(new URL(u.uploadUrl).searchParams.get('X-Amz-SignedHeaders')).toContain('content-length');
    expect(u.headers).toEqual(
      expect.arrayContaining([
        { name: 'content-length', value: String(art.shard.length) },
        { name: 'x-amz-checksum-sha256', value: Buffer.from(sha(art.shard), 'hex').toString('base64') },
      ]),
    );
    expect((await putTo(u, art.shard)).status).toBe(200);
    expect(await objects(`uploads/${owner.tenantId}/`)).toHaveLength(1);

    const pub = await publish([u.token]);
    expect(pub.body.errors).toBeUndefined();
    expect(pub.body.data.publishModelVersion).toMatchObject({ version: 1, status: 'READY' });
    expect(await objects('uploads/')).toEqual([]);
    expect((await objects(`models/${owner.tenantId}/sha256/`)).sort()).toEqual(
      [sha(art.json), sha(art.shard)].map((h) => `models/${owner.tenantId}/sha256/${h}`).sort(),
    );
    const row = await t.sql.query(`select "artifactUri" from model_versions where "tenantId" = $1`, [owner.tenantId]);
    expect(row.rows[0].artifactUri).toMatch(
      new RegExp(`^s3://platform/models/${owner.tenantId}/versions/mv_[^/]+\\.json$`),
    );

    const p = await gql(
      t.http,
      `mutation($i: PredictInput!) { predict(input: $i) { outputs } }`,
      { i: { model: 'big', version: '1', inputs: { x: [Array(N).fill(0.001)] } } },
      { key },
    );
    expect(p.body.errors).toBeUndefined();
    expect(p.body.data.predict.outputs.y[0][0]).toBeCloseTo(1, 3);

    // The same shard again in a second version: nothing new in the bucket but its manifest.
    const again = await presigned('group1-shard1of1.bin', art.shard);
    expect((await putTo(again, art.shard)).status).toBe(200);
    expect((await publish([again.token])).body.data.publishModelVersion.version).toBe(2);
    expect(await objects(`models/${owner.tenantId}/sha256/`)).toHaveLength(2);
    expect(await objects(`models/${owner.tenantId}/versions/`)).toHaveLength(2);
  }, 90_000);

  it('publish refuses a staged object of another size or SHA-256 than announced, and one never uploaded', async () => {
    const none = await presigned('group1-shard1of1.bin', art.shard);
    expect((await publish([none.token])).body.errors[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'UPLOAD_NOT_RECEIVED',
    });
    // s3rver does not check signatures or checksums (S3 does): the object's size and hash are checked again at publish.
    const short = await presigned('group1-shard1of1.bin', art.shard);
    const cut = art.shard.subarray(0, 1000);
    expect((await fetch(short.uploadUrl, { method: 'PUT', body: cut })).status).toBe(200);
    expect((await publish([short.token])).body.errors[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'UPLOAD_SIZE_MISMATCH',
    });
    const other = Buffer.from(art.shard);
    other.writeFloatLE(7, 0);
    const swapped = await presigned('group1-shard1of1.bin', other, art.shard);
    expect((await putTo(swapped, other)).status).toBe(200);
    expect((await publish([swapped.token])).body.errors[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'UPLOAD_CHECKSUM_MISMATCH',
    });
    const tooBig = await createUpload({ fileName: 'group1-shard1of1.bin', sizeBytes: 20 * 1024 * 1024 + 1 });
    expect(tooBig.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UPLOAD_TOO_LARGE' });
    const badSha = await createUpload({ fileName: 'model.json', sizeBytes: 10, sha256: 'abc' });
    expect(badSha.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  }, 60_000);

  it("another tenant can neither ask for an upload to this model nor publish this tenant's staged file", async () => {
    const u = await presigned('group1-shard1of1.bin', art.shard);
    expect((await putTo(u, art.shard)).status).toBe(200);
    const stranger = await signUp(t.http, 'BucketStranger');
    const strangerKey = (await createKey(t.http, stranger, ['models:read', 'models:write'])).secret;
    expect(
      (await createUpload({ fileName: 'model.json', sizeBytes: 10 }, strangerKey)).body.errors[0].extensions.code,
    ).toBe('NOT_FOUND');
    expect((await publish([u.token], strangerKey)).body.errors[0].extensions.code).toBe('NOT_FOUND');
    // The file stays staged for its owner, and the sweep takes it once its URL has expired.
    expect(await objects(`uploads/${owner.tenantId}/`)).not.toEqual([]);
    const exp = new UploadTokenSigner(SECRET).verify(u.token)!.exp;
    expect(await t.app.get(ModelUploadService).sweep(exp + 1)).toBeGreaterThan(0);
    expect(await objects('uploads/')).toEqual([]);
  }, 60_000);
});
