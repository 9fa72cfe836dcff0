import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { needsPostgres } from '../support/database';
import { S3Server, startS3Server } from '../support/s3-server';
import { irisCsv } from '../support/public-datasets';
import { TestApp, createKey, gql, signUp, startTestApp } from '../support/test-app';
import { DATASET_FIELDS, createDataset } from '../support/training-api';

const d = needsPostgres('datasets e2e') ? describe : describe.skip;
const CREATE = `mutation($i: CreateDatasetInput!) { createDataset(input: $i) { ${DATASET_FIELDS} } }`;
const UPLOAD = `mutation($i: CreateDatasetUploadInput!) { createDatasetUpload(input: $i) { uploadUrl token expiresAt } }`;
const GET = `query($id: ID!) { dataset(id: $id) { ${DATASET_FIELDS} } }`;
const LIST = `query($after: String) { datasets(first: 2, after: $after) { totalCount edges { node { id name } } pageInfo { hasNextPage endCursor } } }`;
const DELETE = `mutation($id: ID!) { deleteDataset(id: $id) { id name } }`;

d('datasets: upload, type, list, read, delete; private to the tenant', () => {
  let t: TestApp;
  let key: { key: string };
  let other: { key: string };
  let tenantId: string;
  // The test app's DATA_DIR (default ./.data): dataset files live under models/datasets/<tenant>/.
  const dataDir = path.resolve(process.env.DATA_DIR ?? '.data');
  const datasetFiles = () =>
    existsSync(path.join(dataDir, 'models', 'datasets', tenantId))
      ? readdirSync(path.join(dataDir, 'models', 'datasets', tenantId))
      : [];

  beforeAll(async () => {
    t = await startTestApp({ ARTIFACT_STORE: 'local' });
    const s = await signUp(t.http, 'Data');
    tenantId = s.tenantId;
    key = { key: (await createKey(t.http, s, ['models:read', 'models:write'])).secret };
    other = { key: (await createKey(t.http, await signUp(t.http, 'Other'), ['models:read', 'models:write'])).secret };
  }, 120_000);
  afterAll(async () => t?.close());

  it('creates a CSV dataset inline with typed columns and missing counts, audited', async () => {
    const ds = await createDataset(t, key, 'iris', 'CSV', irisCsv().train.replace('5.1,3.5', '5.1,'));
    expect(ds).toMatchObject({ name: 'iris', format: 'CSV', rows: 120 });
    expect(ds.columns).toEqual([
      { name: 'sepal_length', type: 'NUMBER', missing: 0 },
      { name: 'sepal_width', type: 'NUMBER', missing: 1 },
      { name: 'petal_length', type: 'NUMBER', missing: 0 },
      { name: 'petal_width', type: 'NUMBER', missing: 0 },
      { name: 'species', type: 'STRING', missing: 0 },
    ]);
    expect((await gql(t.http, GET, { id: ds.id }, key)).body.data.dataset).toMatchObject({ id: ds.id, rows: 120 });
    const audit = await t.sql.query(`SELECT action FROM audit_events WHERE "tenantId" = $1 AND "targetId" = $2`, [
      tenantId,
      ds.id,
    ]);
    expect(audit.rows).toEqual([{ action: 'dataset.create' }]);
  });

  it('lists page by page, newest first', async () => {
    await createDataset(t, key, 'second', 'JSONL', '{"a":1,"b":"x"}\n{"a":2,"b":"y"}\n');
    await createDataset(t, key, 'third', 'CSV', 'a\n1\n');
    const first = (await gql(t.http, LIST, {}, key)).body.data.datasets;
    expect(first.totalCount).toBe(3);
    expect(first.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(['third', 'second']);
    const next = (await gql(t.http, LIST, { after: first.pageInfo.endCursor }, key)).body.data.datasets;
    expect(next.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(['iris']);
    expect((await gql(t.http, LIST, {}, other)).body.data.datasets.totalCount).toBe(0);
  });

  it.each([
    ['ragged rows', 'CSV', 'a,b\n1,2\n3\n', 'RAGGED_ROWS'],
    ['not JSON Lines', 'JSONL', 'a,b\n1,2\n', 'INVALID_FORMAT'],
    ['NaN', 'CSV', 'a,b\nNaN,1\n', 'INVALID_VALUE'],
    // NUL bytes are refused for every string argument before the operation runs (input hygiene).
    ['a binary file', 'CSV', 'a\u0000b\n', 'NUL_CHARACTER'],
  ])('refuses %s with a stable reason and writes nothing', async (_, format, content, reason) => {
    const before = datasetFiles().length;
    const res = await gql(t.http, CREATE, { i: { name: 'bad', format, content } }, key);
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason });
    expect(datasetFiles().length).toBe(before);
    const rows = await t.sql.query(`SELECT count(*)::int AS n FROM datasets WHERE "tenantId" = $1 AND name = 'bad'`, [
      tenantId,
    ]);
    expect(rows.rows[0].n).toBe(0);
  });

  it("another tenant's dataset is NOT_FOUND to read and to delete", async () => {
    const ds = await createDataset(t, key, 'mine', 'CSV', 'a,b\n1,2\n');
    for (const q of [GET, DELETE]) {
      const res = await gql(t.http, q, { id: ds.id }, other);
      expect(res.body.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'DATASET_NOT_FOUND' });
    }
    expect((await gql(t.http, GET, { id: ds.id }, key)).body.data.dataset.id).toBe(ds.id);
  });

  it('deletes a dataset: the row and its file go, audited', async () => {
    const ds = await createDataset(t, key, 'gone', 'CSV', 'a,b\n1,2\n');
    expect(datasetFiles()).toContain(ds.id);
    const res = await gql(t.http, DELETE, { id: ds.id }, key);
    expect(res.body.data.deleteDataset).toEqual({ id: ds.id, name: 'gone' });
    expect(datasetFiles()).not.toContain(ds.id);
    expect((await gql(t.http, GET, { id: ds.id }, key)).body.errors[0].extensions.code).toBe('NOT_FOUND');
    const audit = await t.sql.query(
      `SELECT action FROM audit_events WHERE "tenantId" = $1 AND "targetId" = $2 ORDER BY seq`,
      [tenantId, ds.id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['dataset.create', 'dataset.delete']);
  });

  it('a large file goes through a signed upload URL: PUT the bytes, 201 with the dataset, once', async () => {
    const csv = irisCsv().train;
    const size = Buffer.byteLength(csv);
    const grant = (await gql(t.http, UPLOAD, { i: { name: 'uploaded iris', format: 'CSV', sizeBytes: size } }, key))
      .body.data.createDatasetUpload;
    const url = new URL(grant.uploadUrl);
    expect(url.pathname.startsWith('/uploads/datasets/')).toBe(true);
    const put = (k: string, body: string) =>
      request(t.http)
        .put(url.pathname)
        .set('authorization', `Bearer ${k}`)
        .set('content-type', 'application/octet-stream')
        .send(Buffer.from(body));
    expect((await put(other.key, csv)).status).toBe(404);
    const res = await put(key.key, csv);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'uploaded iris', rows: 120, format: 'CSV' });
    const again = await put(key.key, csv);
    expect(again.status).toBe(409);
    // completeDatasetUpload (the S3 flow's second step) returns the dataset the PUT made; not to another tenant.
    const COMPLETE = `mutation($t: String!) { completeDatasetUpload(token: $t) { id rows } }`;
    const done = await gql(t.http, COMPLETE, { t: grant.token }, key);
    expect(done.body.data.completeDatasetUpload).toEqual({ id: res.body.id, rows: 120 });
    expect((await gql(t.http, COMPLETE, { t: grant.token }, other)).body.errors[0].extensions.code).toBe('NOT_FOUND');
    // The model upload route does not take a dataset token.
    expect(
      (
        await request(t.http)
          .put(`/uploads/${url.pathname.slice('/uploads/datasets/'.length)}`)
          .set('authorization', `Bearer ${key.key}`)
          .set('content-type', 'application/octet-stream')
          .send(Buffer.from(csv))
      ).status,
    ).toBe(404);
  });

  it('refuses an upload of the wrong size, and one past the plan limit', async () => {
    const grant = (await gql(t.http, UPLOAD, { i: { name: 'short', format: 'CSV', sizeBytes: 100 } }, key)).body.data
      .createDatasetUpload;
    const res = await request(t.http)
      .put(new URL(grant.uploadUrl).pathname)
      .set('authorization', `Bearer ${key.key}`)
      .set('content-type', 'application/octet-stream')
      .send(Buffer.from('a,b\n1,2\n'));
    expect(res.status).toBe(400);
    const big = await gql(t.http, UPLOAD, { i: { name: 'big', format: 'CSV', sizeBytes: 10 * 1024 ** 3 } }, key);
    expect(big.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'DATASET_TOO_LARGE' });
  });
});

// S3 mode against s3rver: the file goes straight to the bucket, completeDatasetUpload makes the dataset.
d('datasets: presigned S3 uploads and storage in the bucket (s3rver)', () => {
  const S3_UPLOAD = `mutation($i: CreateDatasetUploadInput!) { createDatasetUpload(input: $i) { uploadUrl token expiresAt headers { name value } } }`;
  const COMPLETE = `mutation($t: String!) { completeDatasetUpload(token: $t) { ${DATASET_FIELDS} } }`;
  let s3: S3Server;
  let t: TestApp;
  let key: { key: string };
  let other: { key: string };
  let tenantId: string;
  const objects = async (prefix: string) =>
    ((await s3.client.send(new ListObjectsV2Command({ Bucket: 'platform', Prefix: prefix }))).Contents ?? []).map(
      (o) => o.Key!,
    );
  const grant = async (name: string, sizeBytes: number) => {
    const res = await gql(t.http, S3_UPLOAD, { i: { name, format: 'CSV', sizeBytes } }, key);
    expect(res.body.errors).toBeUndefined();
    return res.body.data.createDatasetUpload as {
      uploadUrl: string;
      token: string;
      headers: { name: string; value: string }[];
    };
  };
  const putTo = (g: { uploadUrl: string; headers: { name: string; value: string }[] }, body: string) =>
    fetch(g.uploadUrl, {
      method: 'PUT',
      headers: Object.fromEntries(g.headers.map((h) => [h.name, h.value])),
      body: Buffer.from(body),
    });

  beforeAll(async () => {
    s3 = await startS3Server(['platform']);
    t = await startTestApp({
      ARTIFACT_STORE: 's3',
      ARTIFACT_BUCKET: 'platform',
      ARTIFACT_S3_ENDPOINT: s3.endpoint,
      ARTIFACT_S3_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    });
    const s = await signUp(t.http, 'BucketData');
    tenantId = s.tenantId;
    key = { key: (await createKey(t.http, s, ['models:read', 'models:write'])).secret };
    other = {
      key: (await createKey(t.http, await signUp(t.http, 'BucketOther'), ['models:read', 'models:write'])).secret,
    };
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await s3?.stop();
  });

  it('PUT to the presigned bucket URL, then completeDatasetUpload: the dataset, stored in the bucket, once', async () => {
    const csv = irisCsv().train;
    const g = await grant('bucket iris', Buffer.byteLength(csv));
    expect(g.uploadUrl.startsWith(`${s3.endpoint}/platform/uploads/${tenantId}/`)).toBe(true);
    expect(g.headers).toEqual(
      expect.arrayContaining([{ name: 'content-length', value: String(Buffer.byteLength(csv)) }]),
    );
    expect((await putTo(g, csv)).status).toBe(200);
    const done = await gql(t.http, COMPLETE, { t: g.token }, key);
    expect(done.body.errors).toBeUndefined();
    const ds = done.body.data.completeDatasetUpload;
    expect(ds).toMatchObject({ name: 'bucket iris', rows: 120, format: 'CSV' });
    expect(await objects(`models/datasets/${tenantId}/${ds.id}/`)).toEqual([
      `models/datasets/${tenantId}/${ds.id}/data.csv`,
    ]);
    expect(await objects('uploads/')).toEqual([]);
    // Idempotent: the same dataset again, not a second one.
    expect((await gql(t.http, COMPLETE, { t: g.token }, key)).body.data.completeDatasetUpload.id).toBe(ds.id);
    expect((await gql(t.http, GET, { id: ds.id }, key)).body.data.dataset.rows).toBe(120);
    // Deleting it removes the object from the bucket.
    expect((await gql(t.http, DELETE, { id: ds.id }, key)).body.errors).toBeUndefined();
    expect(await objects(`models/datasets/${tenantId}/`)).toEqual([]);
  });

  it('refuses completing before the PUT, a file of another size, and another tenant (NOT_FOUND)', async () => {
    const g = await grant('short', 100);
    const early = await gql(t.http, COMPLETE, { t: g.token }, key);
    expect(early.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UPLOAD_NOT_RECEIVED' });
    // s3rver does not check the signed Content-Length (S3 does): completion checks the object's size.
    expect((await fetch(g.uploadUrl, { method: 'PUT', body: Buffer.from('a,b\n1,2\n') })).status).toBe(200);
    const wrong = await gql(t.http, COMPLETE, { t: g.token }, key);
    expect(wrong.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'UPLOAD_SIZE_MISMATCH' });

    const csv = 'a,b\n1,2\n3,4\n';
    const mine = await grant('mine', Buffer.byteLength(csv));
    expect((await putTo(mine, csv)).status).toBe(200);
    const theirs = await gql(t.http, COMPLETE, { t: mine.token }, other);
    expect(theirs.body.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'UPLOAD_TOKEN_INVALID' });
    expect((await gql(t.http, LIST, {}, other)).body.data.datasets.totalCount).toBe(0);
    expect((await gql(t.http, COMPLETE, { t: mine.token }, key)).body.data.completeDatasetUpload.rows).toBe(2);
    const rows = await t.sql.query(`SELECT count(*)::int AS n FROM datasets WHERE "tenantId" = $1 AND name = 'short'`, [
      tenantId,
    ]);
    expect(rows.rows[0].n).toBe(0);
  });
});
