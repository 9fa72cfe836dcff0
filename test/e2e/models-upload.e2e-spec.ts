import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import request from 'supertest';
import { ModelUploadService, UploadTokenSigner } from '@app/models';
import { needsPostgres } from '../support/database';
import { TestApp, createKey, gql, signUp, startTestApp, type Session } from '../support/test-app';

const d = needsPostgres('model uploads e2e') ? describe : describe.skip;
const SECRET = 'test-upload-signing-secret-0123456789abcdef';
const UPLOAD = `mutation($i: CreateModelUploadInput!) { createModelUpload(input: $i) { uploadUrl token expiresAt } }`;
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
